/* SPDX-License-Identifier: MIT */
#include "kms/framebuffer.h"

#include <errno.h>
#include <stdbool.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

/* GETFB2 hands out a new GEM handle per distinct buffer (planes sharing
 * one buffer share the handle); the new framebuffer holds its own
 * references, so the handles go right after. */
static void close_handles(int fd, const uint32_t handles[4])
{
	for (int i = 0; i < 4; i++) {
		if (!handles[i])
			continue;
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen |= handles[j] == handles[i];
		if (!seen)
			drmCloseBufferHandle(fd, handles[i]);
	}
}

int kms_fb_size(int fd, uint32_t fb, uint32_t *width, uint32_t *height)
{
	drmModeFB2 *info = drmModeGetFB2(fd, fb);
	if (!info)
		return errno ? -errno : -ENOENT;
	*width = info->width;
	*height = info->height;
	/* A master gets handles, each a reference on the buffer. */
	close_handles(fd, info->handles);
	drmModeFreeFB2(info);
	return 0;
}

int kms_fb_mirror(int fd, uint32_t src_fb, uint32_t *mirror_fb)
{
	drmModeFB2 *info = drmModeGetFB2(fd, src_fb);
	if (!info)
		return errno ? -errno : -EIO;
	int r = 0;
	if (!info->handles[0]) {
		r = -EACCES;
	} else {
		uint64_t modifiers[4] = { 0 };
		for (int i = 0; i < 4; i++)
			if (info->handles[i])
				modifiers[i] = info->modifier;
		if (drmModeAddFB2WithModifiers(fd, info->width, info->height, info->pixel_format,
					       info->handles, info->pitches, info->offsets,
					       modifiers, mirror_fb,
					       info->flags & DRM_MODE_FB_MODIFIERS) != 0)
			r = errno ? -errno : -EIO;
		close_handles(fd, info->handles);
	}
	drmModeFreeFB2(info);
	return r;
}

int kms_fb_remove(int fd, uint32_t mirror_fb)
{
	return drmModeRmFB(fd, mirror_fb) != 0 ? -errno : 0;
}
