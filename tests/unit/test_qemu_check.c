/* SPDX-License-Identifier: MIT */
/* qemu/check.c: what directflip-qemu accepts from QEMU's D-Bus display. */
#include <errno.h>
#include <drm_fourcc.h>

#include "check.h"
#include "qemu/check.h"

#define X8R8G8B8 0x20020888u
#define A8R8G8B8 0x20028888u
#define R5G6B5 0x10020565u

static char why[160];

static void pixels_accepted(void)
{
	CHECK_EQ_INT(check_pixels(640, 480, 2560, X8R8G8B8, 640 * 480 * 4, why, sizeof(why)), 0);
	/* A stride past the width, and more data than needed, are fine. */
	CHECK_EQ_INT(check_pixels(720, 16, 4096, A8R8G8B8, 16 * 4096 + 7, why, sizeof(why)), 0);
	uint32_t f = 0;
	CHECK_EQ_INT(check_pixman_format(X8R8G8B8, &f), 0);
	CHECK_EQ_INT(f, DRM_FORMAT_XRGB8888);
}

static void stride_below_width(void)
{
	CHECK_EQ_INT(check_pixels(640, 480, 2556, X8R8G8B8, 1u << 24, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "stride 2556 is below width x 4 (2560)"));
}

static void data_short(void)
{
	CHECK_EQ_INT(check_pixels(640, 480, 2560, X8R8G8B8, 640 * 480 * 4 - 1, why, sizeof(why)),
		     -EINVAL);
	CHECK(strstr(why, "shorter than height x stride (1228800)"));
}

static void sizes_zero_and_huge(void)
{
	CHECK_EQ_INT(check_pixels(0, 480, 2560, X8R8G8B8, 1u << 24, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "empty"));
	CHECK_EQ_INT(check_pixels(100000, 1, 400000, X8R8G8B8, 1u << 24, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "16384"));
	CHECK_EQ_INT(check_dmabuf(16385, 16, 16385 * 4, DRM_FORMAT_XRGB8888, why, sizeof(why)),
		     -EINVAL);
	/* Stride times height past 32 bits must not wrap into "enough data". */
	CHECK_EQ_INT(check_pixels(16384, 16384, 0xffffffffu, X8R8G8B8, 1u << 30, why, sizeof(why)),
		     -EINVAL);
}

static void unknown_formats(void)
{
	uint32_t f;
	CHECK_EQ_INT(check_pixman_format(R5G6B5, &f), -EINVAL);
	CHECK_EQ_INT(check_pixels(64, 64, 256, R5G6B5, 1u << 20, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "pixman format 0x10020565"));
	CHECK_EQ_INT(check_dmabuf(64, 64, 256, DRM_FORMAT_NV12, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(check_dmabuf(64, 64, 256, DRM_FORMAT_XRGB8888, why, sizeof(why)), 0);
	CHECK_EQ_INT(check_dmabuf(64, 64, 255, DRM_FORMAT_XRGB8888, why, sizeof(why)), -EINVAL);
}

static void clip_inside_partly_outside(void)
{
	struct check_rect r;
	CHECK_EQ_INT(check_clip(0, 384, 720, 16, 720, 400, &r), CHECK_CLIP_INSIDE);
	CHECK_EQ_INT(r.y, 384);
	/* 720-wide text bands on a 640x480 surface are clipped... */
	CHECK_EQ_INT(check_clip(0, 0, 720, 16, 640, 480, &r), CHECK_CLIP_CLIPPED);
	CHECK_EQ_INT(r.w, 640);
	CHECK_EQ_INT(r.h, 16);
	/* Only the bottom edge, or only the top edge, past the surface. */
	CHECK_EQ_INT(check_clip(0, 470, 100, 20, 640, 480, &r), CHECK_CLIP_CLIPPED);
	CHECK_EQ_INT(r.h, 10);
	CHECK_EQ_INT(check_clip(0, -5, 100, 10, 640, 480, &r), CHECK_CLIP_CLIPPED);
	CHECK_EQ_INT(r.y, 0);
	CHECK_EQ_INT(r.h, 5);
	CHECK_EQ_INT(check_clip(-10, -5, 20, 10, 640, 480, &r), CHECK_CLIP_CLIPPED);
	CHECK_EQ_INT(r.x, 0);
	CHECK_EQ_INT(r.y, 0);
	CHECK_EQ_INT(r.w, 10);
	CHECK_EQ_INT(r.h, 5);
	/* ...and nothing of these is inside. */
	CHECK_EQ_INT(check_clip(640, 0, 10, 10, 640, 480, &r), CHECK_CLIP_OUTSIDE);
	CHECK_EQ_INT(check_clip(100000, 100000, 16, 16, 640, 480, &r), CHECK_CLIP_OUTSIDE);
	CHECK_EQ_INT(check_clip(0, 0, 0, 10, 640, 480, &r), CHECK_CLIP_OUTSIDE);
	CHECK_EQ_INT(check_clip(0, 0, -5, 10, 640, 480, &r), CHECK_CLIP_OUTSIDE);
	/* int32 overflow of x + w. */
	CHECK_EQ_INT(check_clip(0x7fffffff, 0, 0x7fffffff, 10, 640, 480, &r), CHECK_CLIP_OUTSIDE);
}

static void union_boxes(void)
{
	struct check_rect a = { 10, 10, 10, 10 }, b = { 30, 0, 5, 5 }, e = { 0 };
	struct check_rect u = check_union(a, b);
	CHECK_EQ_INT(u.x, 10);
	CHECK_EQ_INT(u.y, 0);
	CHECK_EQ_INT(u.w, 25);
	CHECK_EQ_INT(u.h, 20);
	u = check_union(e, b);
	CHECK_EQ_INT(u.x, 30);
	CHECK_EQ_INT(u.w, 5);
}

static void cursor_checks(void)
{
	static const uint8_t img[64 * 64 * 4];
	CHECK_EQ_INT(check_cursor(64, 64, 0, 0, sizeof(img), 64, why, sizeof(why)), 0);
	CHECK_EQ_INT(check_cursor(65, 64, 0, 0, 1u << 20, 64, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(check_cursor(64, 64, 64, 0, sizeof(img), 64, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(check_cursor(64, 64, 0, 0, sizeof(img) - 1, 64, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(check_cursor(-1, 64, 0, 0, sizeof(img), 64, why, sizeof(why)), -EINVAL);
}

static void scaling_and_cursor_place(void)
{
	enum kms_scaling s;
	CHECK_EQ_INT(check_scaling_parse("center", &s), 0);
	CHECK_EQ_INT(s, KMS_SCALE_CENTER);
	CHECK_EQ_INT(check_scaling_parse("zoom", &s), -EINVAL);
	CHECK_EQ_STR(check_scaling_name(KMS_SCALE_STRETCH), "stretch");
	/* 720x400 centred on 1024x768: the pointer at the frame's 100,50
	 * with hot spot 2,3 is at 152+100-2, 184+50-3. */
	struct kms_rect src, dst;
	kms_scale(KMS_SCALE_CENTER, 720, 400, 1024, 768, &src, &dst);
	int32_t cx, cy;
	check_cursor_place(&src, &dst, 100, 50, 2, 3, &cx, &cy);
	CHECK_EQ_INT(cx, 250);
	CHECK_EQ_INT(cy, 231);
	/* Stretched 2x: positions double, the hot spot does not. */
	kms_scale(KMS_SCALE_STRETCH, 512, 384, 1024, 768, &src, &dst);
	check_cursor_place(&src, &dst, 100, 50, 2, 3, &cx, &cy);
	CHECK_EQ_INT(cx, 198);
	CHECK_EQ_INT(cy, 97);
	/* A guest's far pointer, scaled 2x, stays far off screen instead of
	 * wrapping around int32 (which put it back on screen). */
	check_cursor_place(&src, &dst, INT32_MAX, INT32_MIN, 0, 0, &cx, &cy);
	CHECK_EQ_INT(cx, CHECK_CURSOR_FAR);
	CHECK_EQ_INT(cy, -CHECK_CURSOR_FAR);
	check_cursor_place(&src, &dst, 40000, 0, 0, 0, &cx, &cy);
	CHECK_EQ_INT(cx, CHECK_CURSOR_FAR);
}

static const struct test_case cases[] = {
	{ "pixels_accepted", pixels_accepted },
	{ "stride_below_width", stride_below_width },
	{ "data_short", data_short },
	{ "sizes_zero_and_huge", sizes_zero_and_huge },
	{ "unknown_formats", unknown_formats },
	{ "clip_inside_partly_outside", clip_inside_partly_outside },
	{ "union_boxes", union_boxes },
	{ "cursor_checks", cursor_checks },
	{ "scaling_and_cursor_place", scaling_and_cursor_place },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
