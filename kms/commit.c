/* SPDX-License-Identifier: MIT */
#include "kms/commit.h"

#include <errno.h>
#include <stdlib.h>
#include <xf86drm.h>

#define MAX_BLOBS 8

struct kms_commit {
	int fd;
	const struct kms_props *props;
	drmModeAtomicReq *req;
	int error;
	uint32_t blobs[MAX_BLOBS];
	size_t n_blobs;
};

struct kms_commit *kms_commit_create(int fd, const struct kms_props *props)
{
	struct kms_commit *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->props = props;
	c->req = drmModeAtomicAlloc();
	if (!c->req) {
		free(c);
		return NULL;
	}
	return c;
}

void kms_commit_destroy(struct kms_commit *c)
{
	if (!c)
		return;
	/* The kernel keeps its own reference to blobs a commit installed. */
	for (size_t i = 0; i < c->n_blobs; i++)
		drmModeDestroyPropertyBlob(c->fd, c->blobs[i]);
	drmModeAtomicFree(c->req);
	free(c);
}

static void add(struct kms_commit *c, uint32_t obj, enum kms_prop prop, uint64_t value,
		bool required)
{
	if (c->error)
		return;
	uint32_t id = kms_props_id(c->props, obj, prop);
	if (id == 0) {
		if (required)
			c->error = -ENOENT;
		return;
	}
	if (drmModeAtomicAddProperty(c->req, obj, id, value) < 0)
		c->error = -ENOMEM;
}

void kms_commit_modeset(struct kms_commit *c, uint32_t conn_id, uint32_t crtc_id,
			const drmModeModeInfo *mode)
{
	if (c->error)
		return;
	if (c->n_blobs == MAX_BLOBS) {
		c->error = -E2BIG;
		return;
	}
	uint32_t blob = 0;
	if (drmModeCreatePropertyBlob(c->fd, mode, sizeof(*mode), &blob) != 0) {
		c->error = errno ? -errno : -EIO;
		return;
	}
	c->blobs[c->n_blobs++] = blob;
	add(c, crtc_id, KMS_PROP_CRTC_MODE_ID, blob, true);
	add(c, crtc_id, KMS_PROP_CRTC_ACTIVE, 1, true);
	add(c, conn_id, KMS_PROP_CONN_CRTC_ID, crtc_id, true);
}

void kms_commit_disable_crtc(struct kms_commit *c, uint32_t conn_id, uint32_t crtc_id)
{
	add(c, crtc_id, KMS_PROP_CRTC_ACTIVE, 0, true);
	add(c, crtc_id, KMS_PROP_CRTC_MODE_ID, 0, true);
	if (conn_id)
		add(c, conn_id, KMS_PROP_CONN_CRTC_ID, 0, true);
}

void kms_commit_reset_color(struct kms_commit *c, uint32_t crtc_id)
{
	add(c, crtc_id, KMS_PROP_CRTC_GAMMA_LUT, 0, false);
	add(c, crtc_id, KMS_PROP_CRTC_DEGAMMA_LUT, 0, false);
	add(c, crtc_id, KMS_PROP_CRTC_CTM, 0, false);
	/* Not colour, but CRTC state a lessee leaves behind all the same; the
	 * kernel keeps it across revoke and modeset. */
	add(c, crtc_id, KMS_PROP_CRTC_VRR_ENABLED, 0, false);
}

void kms_commit_plane(struct kms_commit *c, uint32_t plane_id, uint32_t crtc_id, uint32_t fb_id,
		      const struct kms_rect *src, const struct kms_rect *dst)
{
	add(c, plane_id, KMS_PROP_PLANE_FB_ID, fb_id, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_ID, crtc_id, true);
	/* SRC_* are 16.16 fixed point. */
	add(c, plane_id, KMS_PROP_PLANE_SRC_X, (uint64_t)(uint32_t)src->x << 16, true);
	add(c, plane_id, KMS_PROP_PLANE_SRC_Y, (uint64_t)(uint32_t)src->y << 16, true);
	add(c, plane_id, KMS_PROP_PLANE_SRC_W, (uint64_t)src->w << 16, true);
	add(c, plane_id, KMS_PROP_PLANE_SRC_H, (uint64_t)src->h << 16, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_X, (uint64_t)(int64_t)dst->x, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_Y, (uint64_t)(int64_t)dst->y, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_W, dst->w, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_H, dst->h, true);
}

void kms_commit_plane_zpos(struct kms_commit *c, uint32_t plane_id, uint64_t zpos)
{
	add(c, plane_id, KMS_PROP_PLANE_ZPOS, zpos, false);
}

void kms_commit_plane_off(struct kms_commit *c, uint32_t plane_id)
{
	add(c, plane_id, KMS_PROP_PLANE_FB_ID, 0, true);
	add(c, plane_id, KMS_PROP_PLANE_CRTC_ID, 0, true);
}

int kms_commit_apply(struct kms_commit *c, bool allow_modeset)
{
	if (c->error)
		return c->error;
	/* No TEST_ONLY first: the kernel checks an atomic request whole before
	 * it changes anything, so a refused commit changes nothing either, and
	 * a relayed frame costs one ioctl, not two. */
	uint32_t flags = allow_modeset ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0;
	if (drmModeAtomicCommit(c->fd, c->req, flags, NULL) != 0)
		return c->error = errno ? -errno : -EIO;
	return 0;
}
