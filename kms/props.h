/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "kms/snapshot.h"

/* Property ids, resolved once per object so that commits never look
 * properties up by name. A missing property has id 0. */
enum kms_prop {
	KMS_PROP_CONN_CRTC_ID,
	KMS_PROP_CRTC_ACTIVE,
	KMS_PROP_CRTC_MODE_ID,
	KMS_PROP_CRTC_GAMMA_LUT,
	KMS_PROP_CRTC_DEGAMMA_LUT,
	KMS_PROP_CRTC_CTM,
	KMS_PROP_CRTC_VRR_ENABLED,
	KMS_PROP_PLANE_FB_ID,
	KMS_PROP_PLANE_CRTC_ID,
	KMS_PROP_PLANE_SRC_X,
	KMS_PROP_PLANE_SRC_Y,
	KMS_PROP_PLANE_SRC_W,
	KMS_PROP_PLANE_SRC_H,
	KMS_PROP_PLANE_CRTC_X,
	KMS_PROP_PLANE_CRTC_Y,
	KMS_PROP_PLANE_CRTC_W,
	KMS_PROP_PLANE_CRTC_H,
	KMS_PROP_PLANE_ZPOS,
	KMS_PROP_COUNT,
};

struct kms_props;

int kms_props_create(int fd, const struct kms_snapshot *snap, struct kms_props **out);
void kms_props_destroy(struct kms_props *props);
/* Property ids live as long as their objects: when the snapshot has the
 * same objects in the same order, the old table is still right. */
bool kms_props_covers(const struct kms_props *props, const struct kms_snapshot *snap);
/* 0 when obj is unknown or lacks the property. */
uint32_t kms_props_id(const struct kms_props *props, uint32_t obj_id, enum kms_prop prop);
