/* SPDX-License-Identifier: MIT */
#pragma once
/* KMS snapshots for unit tests, built by hand: planes are described by
 * type, CRTC mask, zpos and formats. Ids: CRTCs 40+, connectors 100+,
 * planes 200+, in the order added. */
#include <drm_fourcc.h>
#include <stdint.h>

#include "kms/snapshot.h"

struct fixture {
	struct kms_snapshot snap;
	struct kms_crtc crtcs[8];
	struct kms_connector conns[8];
	struct kms_plane planes[32];
	uint32_t formats[32][4];
};

extern const uint32_t fmt_xr24, fmt_ar24, fmt_nv12;

void fx_init(struct fixture *fx, size_t n_crtcs);
uint32_t fx_connector(struct fixture *fx, const char *name, uint32_t possible);
uint32_t fx_plane(struct fixture *fx, enum kms_plane_type type, uint32_t possible, uint64_t zpos,
		  uint32_t f0, uint32_t f1);
/* virtio-gpu with 3 outputs: per CRTC one primary (XR24) and one cursor (AR24). */
void fx_virtio(struct fixture *fx);
/* Intel-like: 3 pipes x {primary, 3 overlays, cursor}; every port can use every pipe. */
void fx_intel(struct fixture *fx);
