/* SPDX-License-Identifier: MIT */
#include "kms/lease.h"

#include <errno.h>
#include <fcntl.h>
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
