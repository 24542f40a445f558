/* SPDX-License-Identifier: MIT */
/* focus-follows-pointer geometry: which VM's monitor the pointer is on. */
#include <errno.h>

#include "check.h"
#include "daemon/input/desktop.h"

/* left 1024x768 at 0,0 (vm 0), right 800x600 at 1024,100 (vm 1), a monitor
 * with no VM below-left at 0,768. */
static void setup(struct desktop *d)
{
	desktop_init(d);
	CHECK_EQ_INT(desktop_add(d, 0, 0, 1024, 768, 0), 0);
	CHECK_EQ_INT(desktop_add(d, 1024, 100, 800, 600, 1), 0);
	CHECK_EQ_INT(desktop_add(d, 0, 768, 1024, 768, -1), 0);
}

static void starts_on_the_first_monitor(void)
{
	struct desktop d;
	setup(&d);
	CHECK(d.px == 512 && d.py == 384);
	CHECK_EQ_INT(desktop_move(&d, 0, 0), 0);
	CHECK_EQ_INT(desktop_move(&d, 511, 0), 0);  /* x 1023: the last column of left */
	CHECK_EQ_INT(desktop_move(&d, 1, 0), 1);    /* x 1024: right */
	CHECK_EQ_INT(desktop_move(&d, -1, 0), 0);
}

static void crossing_and_clamping(void)
{
	struct desktop d;
	setup(&d);
	/* Far to the right stops at the desktop's last column, on right. */
	CHECK_EQ_INT(desktop_move(&d, 100000, 0), 1);
	CHECK(d.px == 1823);
	/* Above right's top edge (y < 100) at x >= 1024 is a gap: no VM. */
	CHECK_EQ_INT(desktop_move(&d, 0, -1000), -1);
	CHECK(d.py == 0);
	CHECK_EQ_INT(desktop_move(&d, -100000, 0), 0);
	CHECK(d.px == 0);
	/* The monitor below shows no VM of the seat. */
	CHECK_EQ_INT(desktop_move(&d, 0, 800), -1);
	/* Sub-pixel motion adds up. */
	desktop_warp_to_vm(&d, 0);
	d.px = 1023;
	CHECK_EQ_INT(desktop_move(&d, 0.5, 0), 0);
	CHECK_EQ_INT(desktop_move(&d, 0.5, 0), 1);
}

static void warp(void)
{
	struct desktop d;
	setup(&d);
	desktop_warp_to_vm(&d, 1);
	CHECK(d.px == 1424 && d.py == 400);
	CHECK_EQ_INT(desktop_move(&d, 0, 0), 1);
	desktop_warp_to_vm(&d, 5);  /* no such VM: stays */
	CHECK(d.px == 1424 && d.py == 400);
}

static void bad_rects_and_empty(void)
{
	struct desktop d;
	desktop_init(&d);
	CHECK_EQ_INT(desktop_move(&d, 10, 10), -1);
	CHECK_EQ_INT(desktop_add(&d, 0, 0, 0, 768, 0), -EINVAL);
	for (int i = 0; i < CONFIG_MAX_MONITORS; i++)
		CHECK_EQ_INT(desktop_add(&d, i * 10, 0, 10, 10, i), 0);
	CHECK_EQ_INT(desktop_add(&d, 0, 0, 10, 10, 0), -ENOSPC);
}

static const struct test_case cases[] = {
	{ "starts_on_the_first_monitor", starts_on_the_first_monitor },
	{ "crossing_and_clamping", crossing_and_clamping },
	{ "warp", warp },
	{ "bad_rects_and_empty", bad_rects_and_empty },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
