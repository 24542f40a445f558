/* SPDX-License-Identifier: MIT */
/* Test tools only: see frame-clock.h. */
#include "frame-clock.h"

void frame_clock_start(struct frame_clock *c, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, &c->next);
	c->period_ns = (long)ms * 1000000L;
}

void frame_clock_wait(struct frame_clock *c)
{
	c->next.tv_nsec += c->period_ns;
	while (c->next.tv_nsec >= 1000000000L) {
		c->next.tv_nsec -= 1000000000L;
		c->next.tv_sec++;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &c->next, NULL);
}
