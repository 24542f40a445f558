/* SPDX-License-Identifier: MIT */
/*
 * A frame clock for the test tools' guest frames: ticks every period on
 * CLOCK_MONOTONIC's absolute time, so a slow frame does not push the
 * later ones back. Test tools only.
 */
#ifndef DF_TESTS_FRAME_CLOCK_H
#define DF_TESTS_FRAME_CLOCK_H

#include <time.h>

struct frame_clock {
	struct timespec next;
	long period_ns;
};

/* Starts now; ticks every ms milliseconds. */
void frame_clock_start(struct frame_clock *c, unsigned ms);

/* Sleeps until the next tick. */
void frame_clock_wait(struct frame_clock *c);

#endif
