/* SPDX-License-Identifier: MIT */
#include "kms/lease.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

size_t kms_lease_objects(uint32_t conn_id, const struct kms_alloc_result *alloc,
			 uint32_t out[KMS_LEASE_MAX_OBJECTS])
{
	size_t n = 0;
	out[n++] = conn_id;
	out[n++] = alloc->crtc_id;
	for (size_t i = 0; i < alloc->n_planes && i < KMS_ALLOC_MAX_PLANES; i++)
		out[n++] = alloc->planes[i];
	if (alloc->cursor_plane_id)
		out[n++] = alloc->cursor_plane_id;
	return n;
}

static bool listed(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int kms_lease_classify(const struct kms_snapshot *snap, const uint32_t *objects, size_t n,
		       const uint32_t *overlays, size_t n_overlays, uint32_t *conn_id,
		       struct kms_alloc_result *out)
{
	struct kms_alloc_result alloc = { 0 };
	uint32_t leased[KMS_ALLOC_MAX_PLANES];
	size_t n_leased = 0;
	uint32_t conn = 0;
	if (n_overlays > KMS_ALLOC_MAX_PLANES - 1)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = objects[i];
		size_t idx;
		const struct kms_plane *p = kms_snapshot_plane_by_id(snap, id);
		if (kms_snapshot_crtc_by_id(snap, id, &idx) && !alloc.crtc_id) {
			alloc.crtc_id = id;
			alloc.crtc_index = idx;
		} else if (p && p->type == KMS_PLANE_PRIMARY && !alloc.planes[0]) {
			alloc.planes[0] = id;
		} else if (p && p->type == KMS_PLANE_CURSOR && !alloc.cursor_plane_id) {
			alloc.cursor_plane_id = id;
		} else if (p && p->type == KMS_PLANE_OVERLAY && n_leased < KMS_ALLOC_MAX_PLANES - 1) {
			leased[n_leased++] = id;
		} else {
			bool is_conn = false;
			for (size_t c = 0; c < snap->n_connectors && !is_conn; c++)
				is_conn = snap->connectors[c].id == id;
			if (!is_conn || conn)
				return -EINVAL;
			conn = id;
		}
	}
	if (!alloc.crtc_id || !alloc.planes[0] || !conn)
		return -EINVAL;
	if (n_overlays) {
		/* The order recorded at the grant: the same set, or not this lease. */
		if (n_overlays != n_leased)
			return -EINVAL;
		for (size_t k = 0; k < n_overlays; k++)
			if (!listed(leased, n_leased, overlays[k]) ||
			    listed(overlays, k, overlays[k]))
				return -EINVAL;
		memcpy(leased, overlays, n_overlays * sizeof(*leased));
	} else {
		kms_alloc_sort_overlays(snap, leased, n_leased);
	}
	memcpy(&alloc.planes[1], leased, n_leased * sizeof(*leased));
	alloc.n_planes = 1 + n_leased;
	*conn_id = conn;
	*out = alloc;
	return 0;
}

int kms_lease_create(int fd, const uint32_t *objects, size_t n, uint32_t *lessee_id,
		     int *lease_fd)
{
	uint32_t id = 0;
	int lfd = drmModeCreateLease(fd, objects, (int)n, O_CLOEXEC, &id);
	if (lfd < 0)
		return lfd; /* libdrm returns -errno here */
	*lessee_id = id;
	*lease_fd = lfd;
	return 0;
}

int kms_lease_revoke(int fd, uint32_t lessee_id)
{
	int r = drmModeRevokeLease(fd, lessee_id);
	if (r == -ENOENT)
		return 0;
	return r;
}

int kms_lease_list(int fd, uint32_t **ids, size_t *n)
{
	drmModeLesseeListPtr list = drmModeListLessees(fd);
	if (!list)
		return errno ? -errno : -EIO;
	uint32_t *copy = calloc(list->count + 1, sizeof(uint32_t));
	if (!copy) {
		drmFree(list);
		return -ENOMEM;
	}
	memcpy(copy, list->lessees, list->count * sizeof(uint32_t));
	*ids = copy;
	*n = list->count;
	drmFree(list);
	return 0;
}

int kms_lease_prepare_lessee(int lease_fd)
{
	if (drmSetClientCap(lease_fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0 ||
	    drmSetClientCap(lease_fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		return errno ? -errno : -EOPNOTSUPP;
	return 0;
}
