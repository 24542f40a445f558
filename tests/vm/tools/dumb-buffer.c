/* SPDX-License-Identifier: MIT */
/* Test tools only: see dumb-buffer.h. */
#include "dumb-buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

int dumb_buffer_open_card(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (drmIsMaster(fd))
		drmDropMaster(fd);
	return fd;
}

static int map(struct dumb_buffer *b)
{
	struct drm_mode_map_dumb m = { .handle = b->handle };
	if (drmIoctl(b->fd, DRM_IOCTL_MODE_MAP_DUMB, &m) != 0)
		return -errno;
	void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	return 0;
}

int dumb_buffer_create(int fd, uint32_t w, uint32_t h, struct dumb_buffer *b)
{
	*b = (struct dumb_buffer){ .fd = fd, .width = w, .height = h };
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) != 0)
		return -errno;
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->size = c.size;
	return map(b);
}

int dumb_buffer_map_fb(int fd, uint32_t fb_id, struct dumb_buffer *b)
{
	*b = (struct dumb_buffer){ .fd = fd };
	drmModeFB2 *info = drmModeGetFB2(fd, fb_id);
	if (!info)
		return -errno;
	int r = info->handles[0] ? 0 : -EACCES;
	b->handle = info->handles[0];
	b->width = info->width;
	b->height = info->height;
	b->pitch = info->pitches[0];
	b->size = (uint64_t)b->pitch * b->height;
	drmModeFreeFB2(info);
	return r < 0 ? r : map(b);
}

int dumb_buffer_add_fb(struct dumb_buffer *b, uint32_t format)
{
	uint32_t handles[4] = { b->handle }, pitches[4] = { b->pitch }, offsets[4] = { 0 };
	if (drmModeAddFB2(b->fd, b->width, b->height, format, handles, pitches, offsets, &b->fb_id,
			  0) != 0)
		return -errno;
	return 0;
}

void dumb_buffer_rect(struct dumb_buffer *b, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      uint32_t color)
{
	uint32_t stride = b->pitch / 4;
	for (uint32_t yy = y; yy < b->height && yy - y < h; yy++)
		for (uint32_t xx = x; xx < b->width && xx - x < w; xx++)
			b->map[(size_t)yy * stride + xx] = color;
}

void dumb_buffer_fill(struct dumb_buffer *b, uint32_t outer, uint32_t inner, uint32_t iw,
		      uint32_t ih)
{
	dumb_buffer_rect(b, 0, 0, b->width, b->height, outer);
	if (iw && ih)
		dumb_buffer_rect(b, iw < b->width ? (b->width - iw) / 2 : 0,
				 ih < b->height ? (b->height - ih) / 2 : 0, iw, ih, inner);
}

void dumb_buffer_unmap(struct dumb_buffer *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
}

void dumb_buffer_destroy(struct dumb_buffer *b)
{
	if (b->fb_id)
		drmModeRmFB(b->fd, b->fb_id);
	dumb_buffer_unmap(b);
	if (b->handle) {
		struct drm_mode_destroy_dumb d = { .handle = b->handle };
		drmIoctl(b->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	b->fb_id = 0;
	b->handle = 0;
}
