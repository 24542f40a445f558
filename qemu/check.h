/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Checks of what QEMU's D-Bus display sends, before any of it is used.
 * Everything a guest-controlled QEMU sends is untrusted. Pure: no I/O, so
 * the unit tests (tests/unit/test_qemu_check.c) feed it directly.
 */
#include <stddef.h>
#include <stdint.h>

#include "kms/scale.h"

/* Past any scanout size KMS drivers take (the layout's limit too). */
#define CHECK_MAX_SIDE 16384u
/* The cursor plane's size is asked from the card; this is the ceiling. */
#define CHECK_MAX_CURSOR 512u

/* Each check returns 0 or -EINVAL and writes why into why[n]. */

/* pixman format -> DRM fourcc of the same memory layout; 4 bytes a pixel. */
int check_pixman_format(uint32_t pixman, uint32_t *fourcc);
/* A dma-buf fourcc the bridge puts on a plane. */
int check_fourcc(uint32_t fourcc);

/* Scanout/ScanoutMap: w x h pixels, rows stride bytes apart, len bytes. */
int check_pixels(uint32_t w, uint32_t h, uint32_t stride, uint32_t pixman, uint64_t len,
		 char *why, size_t n);
/* ScanoutDMABUF (the fd is checked by the PRIME import). */
int check_dmabuf(uint32_t w, uint32_t h, uint32_t stride, uint32_t fourcc, char *why, size_t n);
/* CursorDefine: w x h ARGB8888, len bytes, hot spot inside, at most max a side. */
int check_cursor(int32_t w, int32_t h, int32_t hot_x, int32_t hot_y, uint64_t len,
		 uint32_t max, char *why, size_t n);

struct check_rect {
	uint32_t x, y, w, h;
};

enum check_clip {
	CHECK_CLIP_INSIDE = 0,
	CHECK_CLIP_CLIPPED, /* *out is the part inside the surface */
	CHECK_CLIP_OUTSIDE, /* nothing of it is inside, or it is malformed */
};
/* An Update rectangle against a surface of sw x sh. */
enum check_clip check_clip(int32_t x, int32_t y, int32_t w, int32_t h, uint32_t sw, uint32_t sh,
			   struct check_rect *out);

/* Union of two rectangles' bounding box; an empty a or b is ignored. */
struct check_rect check_union(struct check_rect a, struct check_rect b);

/* "fit", "stretch", "center", "none". */
int check_scaling_parse(const char *name, enum kms_scaling *out);
const char *check_scaling_name(enum kms_scaling s);
/* Where a cursor at surface position (x, y) with hot spot (hx, hy) goes on
 * the CRTC, given the frame's placement (src in the surface, dst on the
 * CRTC): scaled like the frame, and kept within +-CHECK_CURSOR_FAR. */
#define CHECK_CURSOR_FAR 65536
void check_cursor_place(const struct kms_rect *src, const struct kms_rect *dst, int32_t x,
			int32_t y, int32_t hx, int32_t hy, int32_t *cx, int32_t *cy);
