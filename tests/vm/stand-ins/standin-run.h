/* SPDX-License-Identifier: MIT */
/*
 * What the FUSE and CUSE stand-ins (SIMULATION of a vGPU driver's
 * interface) do alike at run time: open the card and the pollers, and
 * play frames in place while counting how often the daemon asked. Test
 * tools only.
 */
#ifndef DF_TESTS_STANDIN_RUN_H
#define DF_TESTS_STANDIN_RUN_H

#include <pthread.h>
#include <stdint.h>

#include "dumb-buffer.h"
#include "fuse-pollers.h"
#include "standin-options.h"

/* The card at o->card (its fd) and new pollers in *pollers; -1 after
 * saying why on stderr, as PROG. */
int standin_open(const char *prog, const struct standin_options *o, struct fuse_pollers **pollers);

/* A guest buffer of w x h in format: outer, with inner in the centred
 * iw x ih area (0 x 0: none), unmapped, with a framebuffer in d->fb_id.
 * It lives until the card's file closes, as the driver's would. */
int standin_make_buffer(int card, uint32_t w, uint32_t h, uint32_t outer, uint32_t inner,
			uint32_t iw, uint32_t ih, uint32_t format, struct dumb_buffer *d);

/* The guest flips o->frames times, one a frame period (o->frame_ms):
 * flip() under lock, and every open file's poller hears of it. */
void standin_play_flips(const struct standin_options *o, pthread_mutex_t *lock,
			struct fuse_pollers *pollers, void (*flip)(void));

/* The stand-in's counter of the daemon's questions, read under lock, and
 * its name in the report line. */
struct standin_counter {
	pthread_mutex_t *lock;
	const unsigned *value;
	const char *name;      /* "reads", "queries" */
};

/* The guest draws o->frames frames inside framebuffer fb (read under the
 * counter's lock); prints "inplace frames=N flushed=N NAME=N", NAME=N the
 * questions meanwhile. */
void standin_play_in_place(const char *prog, int card, const uint32_t *fb,
			   const struct standin_options *o, const struct standin_counter *c);

#endif
