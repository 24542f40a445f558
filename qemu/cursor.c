/* SPDX-License-Identifier: MIT */
#include "qemu/cursor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

struct cursor {
	uint8_t *image;
	int32_t w, h, hx, hy;
	bool uploaded;
	int fd;
	uint32_t size, handle, pitch, fb;
	uint64_t map_size;
	uint8_t *map;
};

int cursor_new(struct cursor **out)
{
	struct cursor *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	*out = c;
	return 0;
}

void cursor_drop_buffer(struct cursor *c)
{
	if (c->map)
		munmap(c->map, c->map_size);
	if (c->fb)
		drmModeRmFB(c->fd, c->fb);
	if (c->handle) {
		struct drm_mode_destroy_dumb d = { .handle = c->handle };
		drmIoctl(c->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	c->map = NULL;
	c->fb = c->handle = 0;
	c->fd = -1;
	c->uploaded = false;
}

struct cursor *cursor_free(struct cursor *c)
{
	if (!c)
		return NULL;
	cursor_drop_buffer(c);
	free(c->image);
	free(c);
	return NULL;
}

int cursor_set_image(struct cursor *c, int32_t w, int32_t h, int32_t hx, int32_t hy,
		     const uint8_t *argb)
{
	size_t len = (size_t)w * (size_t)h * 4;
	uint8_t *img = malloc(len);
	if (!img)
		return -ENOMEM;
	memcpy(img, argb, len);
	free(c->image);
	c->image = img;
	c->w = w;
	c->h = h;
	c->hx = hx;
	c->hy = hy;
	c->uploaded = false;
	return 0;
}

static int make(struct cursor *c, int fd, uint32_t size)
{
	struct drm_mode_create_dumb cr = { .width = size, .height = size, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cr) < 0)
		return -errno;
	c->fd = fd;
	c->handle = cr.handle;
	c->pitch = cr.pitch;
	c->map_size = cr.size;
	c->size = size;
	uint32_t handles[4] = { cr.handle }, pitches[4] = { cr.pitch }, offsets[4] = { 0 };
	if (drmModeAddFB2(fd, size, size, DRM_FORMAT_ARGB8888, handles, pitches, offsets, &c->fb, 0) < 0) {
		c->fb = 0;
		return -errno;
	}
	struct drm_mode_map_dumb m = { .handle = cr.handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m) < 0)
		return -errno;
	void *p = mmap(NULL, cr.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	c->map = p;
	return 0;
}

uint32_t cursor_fb(struct cursor *c, int fd, uint32_t size)
{
	if (!c->image || (uint32_t)c->w > size || (uint32_t)c->h > size)
		return 0;
	if (c->fd != fd || c->size != size) {
		cursor_drop_buffer(c);
		if (make(c, fd, size) < 0) {
			cursor_drop_buffer(c);
			return 0;
		}
	}
	if (!c->uploaded) {
		memset(c->map, 0, c->map_size);
		for (int32_t y = 0; y < c->h; y++)
			memcpy(c->map + (size_t)y * c->pitch, c->image + (size_t)y * (size_t)c->w * 4,
			       (size_t)c->w * 4);
		c->uploaded = true;
	}
	return c->fb;
}

void cursor_hot(const struct cursor *c, int32_t *hx, int32_t *hy)
{
	*hx = c->hx;
	*hy = c->hy;
}
