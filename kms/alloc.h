/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kms/snapshot.h"

#define KMS_ALLOC_MAX_PLANES 8

struct kms_alloc_request {
	uint32_t connector_id;
	size_t n_planes;                         /* vGPU planes to show, 1..KMS_ALLOC_MAX_PLANES */
	uint32_t formats[KMS_ALLOC_MAX_PLANES];  /* per vGPU plane; 0 = any */
	uint32_t busy_crtcs;                     /* by CRTC index: held by other leases */
	const uint32_t *busy_planes;
	size_t n_busy_planes;
};

struct kms_alloc_result {
	uint32_t crtc_id;
	size_t crtc_index;
	uint32_t cursor_plane_id;                /* 0 when the CRTC has none free */
	uint32_t planes[KMS_ALLOC_MAX_PLANES];   /* hardware plane per vGPU plane; [0] is the primary */
	size_t n_planes;
};

enum kms_alloc_status {
	KMS_ALLOC_OK = 0,
	KMS_ALLOC_BAD_REQUEST,
	KMS_ALLOC_NO_CONNECTOR,
	KMS_ALLOC_NO_CRTC,
	KMS_ALLOC_NO_PRIMARY,
	KMS_ALLOC_PRIMARY_FORMAT,
	KMS_ALLOC_NO_OVERLAYS,
	KMS_ALLOC_NO_MEMORY,
};

/* Pure: reads only snap and req. On failure *out is untouched. */
enum kms_alloc_status kms_alloc(const struct kms_snapshot *snap,
				const struct kms_alloc_request *req,
				struct kms_alloc_result *out);
const char *kms_alloc_status_str(enum kms_alloc_status status);
/* Sorts overlay plane ids into the order kms_alloc prefers them (exclusive
 * planes first, then zpos, then id). Unknown ids go last. */
void kms_alloc_sort_overlays(const struct kms_snapshot *snap, uint32_t *ids, size_t n);
