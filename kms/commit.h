/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <xf86drmMode.h>

#include "kms/props.h"
#include "kms/scale.h"

/* An atomic request builder. The first failure while building is sticky
 * and returned by apply. The kernel checks the request whole before it
 * changes anything, so a request it refuses changes nothing. */
struct kms_commit;

/* fd is the file the commit goes through (a lessee's fd for leased objects). */
struct kms_commit *kms_commit_create(int fd, const struct kms_props *props);
void kms_commit_destroy(struct kms_commit *c);

void kms_commit_modeset(struct kms_commit *c, uint32_t conn_id, uint32_t crtc_id,
			const drmModeModeInfo *mode);
/* conn_id may be 0. */
void kms_commit_disable_crtc(struct kms_commit *c, uint32_t conn_id, uint32_t crtc_id);
/* GAMMA_LUT, DEGAMMA_LUT and CTM to none and VRR_ENABLED to 0, where the
 * CRTC has them. */
void kms_commit_reset_color(struct kms_commit *c, uint32_t crtc_id);
void kms_commit_plane(struct kms_commit *c, uint32_t plane_id, uint32_t crtc_id, uint32_t fb_id,
		      const struct kms_rect *src, const struct kms_rect *dst);
void kms_commit_plane_zpos(struct kms_commit *c, uint32_t plane_id, uint64_t zpos);
void kms_commit_plane_off(struct kms_commit *c, uint32_t plane_id);

/* allow_modeset: the request may change modes or enable/disable CRTCs. */
int kms_commit_apply(struct kms_commit *c, bool allow_modeset);
