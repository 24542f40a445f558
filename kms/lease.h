/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kms/alloc.h"

/* DRM leases on the lessor's (daemon's) fd. The lessee fd is O_CLOEXEC. */

#define KMS_LEASE_MAX_OBJECTS (3 + KMS_ALLOC_MAX_PLANES)

/* Connector, CRTC, the allocated planes and the cursor: with universal
 * planes set the kernel leases only planes listed explicitly. */
size_t kms_lease_objects(uint32_t conn_id, const struct kms_alloc_result *alloc,
			 uint32_t out[KMS_LEASE_MAX_OBJECTS]);

/* The inverse of kms_lease_objects, for a lease taken back after a restart:
 * sorts a lease's objects (drmModeGetLease) into conn_id and out, using
 * snap. overlays (n_overlays of them, may be 0) is the vGPU plane order
 * 1..N-1 recorded at the grant; it must name exactly the leased overlays.
 * Without it, the overlays take kms_alloc's preference order, which is
 * right only when the grant's search did not choose by format. -EINVAL
 * when the objects are no lease kms_lease_objects could have made
 * (unknown object, no CRTC, primary or connector, too many planes) or
 * disagree with overlays. */
int kms_lease_classify(const struct kms_snapshot *snap, const uint32_t *objects, size_t n,
		       const uint32_t *overlays, size_t n_overlays, uint32_t *conn_id,
		       struct kms_alloc_result *out);

/* -EBUSY when an object is leased already. */
int kms_lease_create(int fd, const uint32_t *objects, size_t n, uint32_t *lessee_id,
		     int *lease_fd);
/* Already gone (the lessee closed its last fd) counts as success. */
int kms_lease_revoke(int fd, uint32_t lessee_id);
/* The kernel's list of this lessor's live lessees; *ids is malloc'ed. */
int kms_lease_list(int fd, uint32_t **ids, size_t *n);
/* Makes a lessee fd ready for atomic commits. */
int kms_lease_prepare_lessee(int lease_fd);
