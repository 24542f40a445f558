/* SPDX-License-Identifier: MIT */
#include "check.h"
#include "kms/scale.h"

static void check_rect(struct kms_rect r, int32_t x, int32_t y, uint32_t w, uint32_t h)
{
	CHECK_EQ_INT(r.x, x);
	CHECK_EQ_INT(r.y, y);
	CHECK_EQ_INT(r.w, w);
	CHECK_EQ_INT(r.h, h);
}

static void fit_letterbox(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_FIT, 1920, 1080, 1280, 1024, &s, &d);
	check_rect(s, 0, 0, 1920, 1080);
	check_rect(d, 0, 152, 1280, 720);
}

static void fit_pillarbox(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_FIT, 1024, 768, 1920, 1080, &s, &d);
	check_rect(d, 240, 0, 1440, 1080);
}

static void fit_same_aspect_fills(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_FIT, 640, 400, 1280, 800, &s, &d);
	check_rect(d, 0, 0, 1280, 800);
}

static void stretch_fills(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_STRETCH, 1024, 768, 1920, 1080, &s, &d);
	check_rect(s, 0, 0, 1024, 768);
	check_rect(d, 0, 0, 1920, 1080);
}

static void center_smaller_and_larger(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_CENTER, 800, 600, 1280, 800, &s, &d);
	check_rect(s, 0, 0, 800, 600);
	check_rect(d, 240, 100, 800, 600);
	kms_scale(KMS_SCALE_CENTER, 1920, 1080, 1280, 800, &s, &d);
	check_rect(s, 320, 140, 1280, 800);
	check_rect(d, 0, 0, 1280, 800);
}

static void none_crops_top_left(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_NONE, 1920, 1080, 1280, 800, &s, &d);
	check_rect(s, 0, 0, 1280, 800);
	check_rect(d, 0, 0, 1280, 800);
}

static void zero_sizes_do_not_divide(void)
{
	struct kms_rect s, d;
	kms_scale(KMS_SCALE_FIT, 0, 0, 1280, 800, &s, &d);
	check_rect(d, 0, 0, 1280, 800);
}

static const struct test_case cases[] = {
	{ "fit_letterbox", fit_letterbox },
	{ "fit_pillarbox", fit_pillarbox },
	{ "fit_same_aspect_fills", fit_same_aspect_fills },
	{ "stretch_fills", stretch_fills },
	{ "center_smaller_and_larger", center_smaller_and_larger },
	{ "none_crops_top_left", none_crops_top_left },
	{ "zero_sizes_do_not_divide", zero_sizes_do_not_divide },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
