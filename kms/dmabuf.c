/* SPDX-License-Identifier: MIT */
#include "kms/dmabuf.h"

#include <errno.h>
#include <stdbool.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

int kms_dmabuf_import(int card_fd, int dmabuf_fd, const struct kms_dmabuf *b, uint32_t *fb_id)
{
	uint64_t cap = 0;
	bool with_mod = b->modifier != DRM_FORMAT_MOD_INVALID &&
			drmGetCap(card_fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap;
	if (!with_mod && b->modifier != DRM_FORMAT_MOD_INVALID && b->modifier != DRM_FORMAT_MOD_LINEAR)
		return -EOPNOTSUPP;
	uint32_t handle = 0;
	if (drmPrimeFDToHandle(card_fd, dmabuf_fd, &handle) != 0)
		return errno ? -errno : -EIO;
	uint32_t handles[4] = { handle }, pitches[4] = { b->stride }, offsets[4] = { b->offset };
	uint64_t mods[4] = { b->modifier };
	int r = drmModeAddFB2WithModifiers(card_fd, b->width, b->height, b->format, handles, pitches,
					   offsets, with_mod ? mods : NULL, fb_id,
					   with_mod ? DRM_MODE_FB_MODIFIERS : 0);
	int err = errno;
	drmCloseBufferHandle(card_fd, handle);
	if (r != 0)
		return err ? -err : -EIO;
	return 0;
}
