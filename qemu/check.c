/* SPDX-License-Identifier: MIT */
#include "qemu/check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <drm_fourcc.h>

/* pixman's PIXMAN_FORMAT(bpp, type, a, r, g, b) codes (pixman.h): QEMU's
 * surfaces are x8r8g8b8 unless a guest shares 16-bit memory. */
#define PIXMAN_x8r8g8b8 0x20020888u
#define PIXMAN_a8r8g8b8 0x20028888u
#define PIXMAN_x8b8g8r8 0x20030888u
#define PIXMAN_a8b8g8r8 0x20038888u

int check_pixman_format(uint32_t pixman, uint32_t *fourcc)
{
	switch (pixman) {
	case PIXMAN_x8r8g8b8:
	case PIXMAN_a8r8g8b8: /* the plane shows it opaque, as QEMU's own UIs do */
		*fourcc = DRM_FORMAT_XRGB8888;
		return 0;
	case PIXMAN_x8b8g8r8:
	case PIXMAN_a8b8g8r8:
		*fourcc = DRM_FORMAT_XBGR8888;
		return 0;
	}
	return -EINVAL;
}

int check_fourcc(uint32_t fourcc)
{
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 0;
	}
	return -EINVAL;
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A w x h image of 32-bit pixels whose rows are stride bytes apart. */
static int check_rows(uint32_t w, uint32_t h, uint32_t stride, char *why, size_t n)
{
	if (w == 0 || h == 0)
		return bad(why, n, "size %ux%u is empty", w, h);
	if (w > CHECK_MAX_SIDE || h > CHECK_MAX_SIDE)
		return bad(why, n, "size %ux%u is past the 16384 limit", w, h);
	if ((uint64_t)stride < (uint64_t)w * 4)
		return bad(why, n, "stride %u is below width x 4 (%llu)", stride, (unsigned long long)w * 4);
	return 0;
}

int check_pixels(uint32_t w, uint32_t h, uint32_t stride, uint32_t pixman, uint64_t len,
		 char *why, size_t n)
{
	uint32_t fourcc;
	if (check_pixman_format(pixman, &fourcc) < 0)
		return bad(why, n, "pixman format 0x%x is not a 32-bit RGB format", pixman);
	int r = check_rows(w, h, stride, why, n);
	if (r < 0)
		return r;
	if (len < (uint64_t)h * stride)
		return bad(why, n, "data of %llu bytes is shorter than height x stride (%llu)",
			   (unsigned long long)len, (unsigned long long)h * stride);
	return 0;
}

int check_dmabuf(uint32_t w, uint32_t h, uint32_t stride, uint32_t fourcc, char *why, size_t n)
{
	if (check_fourcc(fourcc) < 0)
		return bad(why, n, "fourcc 0x%x is not XRGB/ARGB/XBGR/ABGR8888", fourcc);
	return check_rows(w, h, stride, why, n);
}

int check_cursor(int32_t w, int32_t h, int32_t hot_x, int32_t hot_y, uint64_t len,
		 uint32_t max, char *why, size_t n)
{
	if (w <= 0 || h <= 0 || (uint32_t)w > max || (uint32_t)h > max)
		return bad(why, n, "cursor size %dx%d is empty or larger than the cursor plane (%u)", w,
			   h, max);
	if (hot_x < 0 || hot_y < 0 || hot_x >= w || hot_y >= h)
		return bad(why, n, "hot spot %d,%d is outside the cursor", hot_x, hot_y);
	if (len < (uint64_t)w * (uint64_t)h * 4)
		return bad(why, n, "cursor data of %llu bytes is shorter than width x height x 4 (%llu)",
			   (unsigned long long)len, (unsigned long long)w * (unsigned long long)h * 4);
	return 0;
}

enum check_clip check_clip(int32_t x, int32_t y, int32_t w, int32_t h, uint32_t sw, uint32_t sh,
			   struct check_rect *out)
{
	if (w <= 0 || h <= 0)
		return CHECK_CLIP_OUTSIDE;
	int64_t x0 = x, y0 = y, x1 = (int64_t)x + w, y1 = (int64_t)y + h;
	int64_t cx0 = x0 < 0 ? 0 : x0, cy0 = y0 < 0 ? 0 : y0;
	int64_t cx1 = x1 > (int64_t)sw ? (int64_t)sw : x1;
	int64_t cy1 = y1 > (int64_t)sh ? (int64_t)sh : y1;
	if (cx0 >= cx1 || cy0 >= cy1)
		return CHECK_CLIP_OUTSIDE;
	*out = (struct check_rect){ (uint32_t)cx0, (uint32_t)cy0, (uint32_t)(cx1 - cx0),
				    (uint32_t)(cy1 - cy0) };
	return (cx0 == x0 && cy0 == y0 && cx1 == x1 && cy1 == y1) ? CHECK_CLIP_INSIDE
								  : CHECK_CLIP_CLIPPED;
}

struct check_rect check_union(struct check_rect a, struct check_rect b)
{
	if (a.w == 0 || a.h == 0)
		return b;
	if (b.w == 0 || b.h == 0)
		return a;
	uint32_t x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
	uint64_t ax1 = (uint64_t)a.x + a.w, bx1 = (uint64_t)b.x + b.w;
	uint64_t ay1 = (uint64_t)a.y + a.h, by1 = (uint64_t)b.y + b.h;
	uint64_t x1 = ax1 > bx1 ? ax1 : bx1, y1 = ay1 > by1 ? ay1 : by1;
	return (struct check_rect){ x0, y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
}

static const char *const scaling_names[] = {
	[KMS_SCALE_FIT] = "fit",
	[KMS_SCALE_STRETCH] = "stretch",
	[KMS_SCALE_CENTER] = "center",
	[KMS_SCALE_NONE] = "none",
};

int check_scaling_parse(const char *name, enum kms_scaling *out)
{
	for (size_t i = 0; i < sizeof(scaling_names) / sizeof(scaling_names[0]); i++)
		if (name && strcmp(name, scaling_names[i]) == 0) {
			*out = (enum kms_scaling)i;
			return 0;
		}
	return -EINVAL;
}

const char *check_scaling_name(enum kms_scaling s)
{
	return (unsigned)s < sizeof(scaling_names) / sizeof(scaling_names[0]) ? scaling_names[s]
									       : "?";
}

/* A guest's pointer can be anywhere in int32; off screen is as good as far
 * off, and the kernel refuses CRTC_X + width past INT_MAX (ERANGE). */
static int32_t clamp_place(int64_t v)
{
	return (int32_t)(v < -CHECK_CURSOR_FAR ? -CHECK_CURSOR_FAR
			 : v > CHECK_CURSOR_FAR ? CHECK_CURSOR_FAR : v);
}

void check_cursor_place(const struct kms_rect *src, const struct kms_rect *dst, int32_t x,
			int32_t y, int32_t hx, int32_t hy, int32_t *cx, int32_t *cy)
{
	/* Surface -> CRTC: offset by the source's origin, scale by dst/src. */
	int64_t px = (int64_t)x - src->x, py = (int64_t)y - src->y;
	if (src->w)
		px = px * dst->w / src->w;
	if (src->h)
		py = py * dst->h / src->h;
	*cx = clamp_place(dst->x + px - hx);
	*cy = clamp_place(dst->y + py - hy);
}
