/* SPDX-License-Identifier: MIT */
#include "qemu/surface.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "qemu/damage.h"

struct buffer {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint8_t *map;
	struct damage lacks; /* written into its twin since it was last shown */
};

struct surface {
	int fd;
	uint32_t w, h, fourcc;
	bool has_canvas;
	struct surface_canvas c;  /* buffer size and the frame's origin in it */
	struct buffer b[2];
	int back;        /* the buffer written and shown next */
	bool written;    /* back has news since the last surface_shown */
	struct surface_counters *n; /* the bridge's, shared by its surfaces */
};

static void buffer_destroy(int fd, struct buffer *b)
{
	if (b->map)
		munmap(b->map, b->size);
	if (b->fb)
		drmModeRmFB(fd, b->fb);
	if (b->handle) {
		struct drm_mode_destroy_dumb d = { .handle = b->handle };
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	*b = (struct buffer){ 0 };
}

static int buffer_create(int fd, uint32_t w, uint32_t h, uint32_t fourcc, struct buffer *b)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) < 0)
		return -errno;
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->size = c.size;
	uint32_t handles[4] = { c.handle }, pitches[4] = { c.pitch }, offsets[4] = { 0 };
	if (drmModeAddFB2(fd, w, h, fourcc, handles, pitches, offsets, &b->fb, 0) < 0) {
		b->fb = 0;
		return -errno;
	}
	struct drm_mode_map_dumb m = { .handle = c.handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m) < 0)
		return -errno;
	void *p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	memset(b->map, 0, b->size); /* black */
	return 0;
}

static void copy_rect(uint8_t *dst, size_t dst_stride, const uint8_t *src, size_t src_stride,
		      const struct check_rect *r)
{
	size_t row = (size_t)r->w * 4;
	for (uint32_t y = 0; y < r->h; y++)
		memcpy(dst + (size_t)(r->y + y) * dst_stride + (size_t)r->x * 4,
		       src + (size_t)y * src_stride, row);
}

static uint64_t rect_bytes(const struct check_rect *r)
{
	return (uint64_t)r->w * r->h * 4;
}

/* Copies what back lacks from its twin (which holds the newest picture
 * there: it was shown after it got it): the catch-up. */
static void catch_up(struct surface *s, struct buffer *back, const struct buffer *twin,
		     const struct check_rect *r, int n)
{
	for (int i = 0; i < n; i++) {
		copy_rect(back->map, back->pitch,
			  twin->map + (size_t)r[i].y * twin->pitch + (size_t)r[i].x * 4,
			  twin->pitch, &r[i]);
		s->n->catchup += rect_bytes(&r[i]);
	}
}

/* The back buffer made whole before it is shown or carried. */
static void complete(struct surface *s)
{
	if (!s->written)
		return;
	struct buffer *back = &s->b[s->back];
	catch_up(s, back, &s->b[1 - s->back], back->lacks.r, back->lacks.n);
	back->lacks.n = 0;
}

/* The frame rectangle r in s's buffers, clipped to them; false: none of
 * it is in them. */
static bool to_buffer(const struct surface *s, const struct check_rect *r, struct check_rect *out)
{
	return check_clip((int32_t)r->x + s->c.ox, (int32_t)r->y + s->c.oy, (int32_t)r->w,
			  (int32_t)r->h, s->c.w, s->c.h, out) != CHECK_CLIP_OUTSIDE;
}

/* Frame pixels common to both surfaces, from's buffer src into s's
 * buffers: what is in both buffers. */
static uint64_t carry(struct surface *s, const struct surface *from, const struct buffer *src)
{
	struct check_rect f = { 0, 0, s->w < from->w ? s->w : from->w, s->h < from->h ? s->h : from->h };
	struct check_rect in_from, in_s;
	if (!to_buffer(from, &f, &in_from))
		return 0;
	/* Back to frame coordinates, then into s's buffers. */
	struct check_rect g = { (uint32_t)((int32_t)in_from.x - from->c.ox),
				(uint32_t)((int32_t)in_from.y - from->c.oy), in_from.w, in_from.h };
	if (!to_buffer(s, &g, &in_s))
		return 0;
	int32_t fx = (int32_t)in_s.x - s->c.ox, fy = (int32_t)in_s.y - s->c.oy;
	const uint8_t *p = src->map + (size_t)(fy + from->c.oy) * src->pitch +
			   (size_t)(fx + from->c.ox) * 4;
	for (int i = 0; i < 2; i++)
		copy_rect(s->b[i].map, s->b[i].pitch, p, src->pitch, &in_s);
	return 2 * rect_bytes(&in_s);
}

int surface_new(int fd, uint32_t w, uint32_t h, uint32_t fourcc,
		const struct surface_canvas *canvas, struct surface *from,
		struct surface_counters *count, struct surface **out)
{
	struct surface *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->w = w;
	s->h = h;
	s->fourcc = fourcc;
	s->n = count;
	s->has_canvas = canvas != NULL;
	s->c = canvas ? *canvas : (struct surface_canvas){ w, h, 0, 0 };
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++)
		r = buffer_create(fd, s->c.w, s->c.h, fourcc, &s->b[i]);
	if (r < 0) {
		surface_free(s);
		return r;
	}
	if (from) {
		/* The newest picture is in from's back buffer when it was
		 * written since its last flip, else in its front one. */
		complete(from);
		const struct buffer *src = &from->b[from->written ? from->back : 1 - from->back];
		s->n->moved += carry(s, from, src);
		s->written = true;
	}
	*out = s;
	return 0;
}

struct surface *surface_forget(struct surface *s)
{
	free(s);
	return NULL;
}

struct surface *surface_free(struct surface *s)
{
	if (!s)
		return NULL;
	for (int i = 0; i < 2; i++)
		buffer_destroy(s->fd, &s->b[i]);
	free(s);
	return NULL;
}

uint32_t surface_width(const struct surface *s)
{
	return s->w;
}

uint32_t surface_height(const struct surface *s)
{
	return s->h;
}

uint32_t surface_fourcc(const struct surface *s)
{
	return s->fourcc;
}

void surface_write(struct surface *s, const struct check_rect *fr, const uint8_t *src,
		   size_t src_stride)
{
	struct check_rect rr;
	s->n->damaged += rect_bytes(fr);
	if (!to_buffer(s, fr, &rr))
		return; /* cropped away: the frame is larger than the monitor */
	const struct check_rect *r = &rr;
	src += (size_t)((int32_t)rr.y - s->c.oy - (int32_t)fr->y) * src_stride +
	       (size_t)((int32_t)rr.x - s->c.ox - (int32_t)fr->x) * 4;
	struct buffer *back = &s->b[s->back], *twin = &s->b[1 - s->back];
	/* What r overwrites is no longer lacking; the rest is caught up when
	 * the buffer is shown (complete), or now if it is too split up. */
	struct check_rect pieces[DAMAGE_MAX * 4];
	int n;
	if (!damage_subtract(&back->lacks, r, pieces, &n)) {
		catch_up(s, back, twin, pieces, n);
		back->lacks.n = 0;
	}
	copy_rect(back->map, back->pitch, src, src_stride, r);
	damage_add(&twin->lacks, r);
	s->n->copied += rect_bytes(r);
	s->written = true;
}

uint32_t surface_next_fb(struct surface *s)
{
	complete(s);
	return s->b[s->written ? s->back : 1 - s->back].fb;
}

void surface_shown(struct surface *s)
{
	if (!s->written)
		return;
	s->back = 1 - s->back;
	s->written = false;
}

void surface_buffer_size(const struct surface *s, uint32_t *w, uint32_t *h)
{
	*w = s->c.w;
	*h = s->c.h;
}

bool surface_has_canvas(const struct surface *s)
{
	return s->has_canvas;
}
