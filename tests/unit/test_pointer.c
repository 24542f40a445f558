/* SPDX-License-Identifier: MIT */
/* directflip-qemu's pointer mapping: buttons and the tablet's scaling. */
#include <errno.h>
#include <linux/input-event-codes.h>

#include "check.h"
#include "qemu/pointer.h"

static void buttons(void)
{
	CHECK_EQ_INT(pointer_button(BTN_LEFT), 0);
	CHECK_EQ_INT(pointer_button(BTN_MIDDLE), 1);
	CHECK_EQ_INT(pointer_button(BTN_RIGHT), 2);
	CHECK_EQ_INT(pointer_button(BTN_SIDE), 5);
	CHECK_EQ_INT(pointer_button(BTN_EXTRA), 6);
	CHECK_EQ_INT(pointer_button(BTN_FORWARD), -ENOENT);
	CHECK_EQ_INT(pointer_button(BTN_TASK), -ENOENT);
	CHECK_EQ_INT(pointer_button(KEY_A), -ENOENT);
	CHECK_EQ_INT(pointer_button(BTN_TOUCH), -ENOENT);
}

static void abs_scale_ends_and_middle(void)
{
	/* The daemon's tablet: 0..32767. */
	CHECK_EQ_INT(pointer_abs_scale(0, 0, 32767, 720), 0);
	CHECK_EQ_INT(pointer_abs_scale(32767, 0, 32767, 720), 719);
	CHECK_EQ_INT(pointer_abs_scale(16384, 0, 32767, 720), 359);
	CHECK_EQ_INT(pointer_abs_scale(16384, 0, 32767, 400), 199);
	/* A range that does not start at 0. */
	CHECK_EQ_INT(pointer_abs_scale(-100, -100, 100, 201), 0);
	CHECK_EQ_INT(pointer_abs_scale(0, -100, 100, 201), 100);
	CHECK_EQ_INT(pointer_abs_scale(100, -100, 100, 201), 200);
}

static void abs_scale_clamps_and_survives_bad_ranges(void)
{
	CHECK_EQ_INT(pointer_abs_scale(-5, 0, 32767, 640), 0);
	CHECK_EQ_INT(pointer_abs_scale(40000, 0, 32767, 640), 639);
	CHECK_EQ_INT(pointer_abs_scale(INT32_MIN, INT32_MIN, INT32_MAX, UINT32_MAX), 0);
	CHECK_EQ_INT(pointer_abs_scale(INT32_MAX - 1, INT32_MIN, INT32_MAX, UINT32_MAX),
		     UINT32_MAX - 2);
	CHECK_EQ_INT(pointer_abs_scale(5, 10, 10, 640), 0);
	CHECK_EQ_INT(pointer_abs_scale(5, 20, 10, 640), 0);
	CHECK_EQ_INT(pointer_abs_scale(5, 0, 10, 0), 0);
	CHECK_EQ_INT(pointer_abs_scale(5, 0, 10, 1), 0);
}

static const struct test_case cases[] = {
	{ "buttons", buttons },
	{ "abs_scale_ends_and_middle", abs_scale_ends_and_middle },
	{ "abs_scale_clamps_and_survives_bad_ranges", abs_scale_clamps_and_survives_bad_ranges },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
