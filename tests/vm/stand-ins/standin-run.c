/* SPDX-License-Identifier: MIT */
#include "standin-run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dumb-buffer.h"
#include "frame-clock.h"
#include "inplace-frames.h"

int standin_open(const char *prog, const struct standin_options *o, struct fuse_pollers **pollers)
{
	*pollers = fuse_pollers_new();
	if (!*pollers) {
		fprintf(stderr, "%s: %s\n", prog, strerror(ENOMEM));
		return -1;
	}
	int card = dumb_buffer_open_card(o->card);
	if (card < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->card, strerror(-card));
		return -1;
	}
	return card;
}

int standin_make_buffer(int card, uint32_t w, uint32_t h, uint32_t outer, uint32_t inner,
			uint32_t iw, uint32_t ih, uint32_t format, struct dumb_buffer *d)
{
	int r = dumb_buffer_create(card, w, h, d);
	if (r < 0)
		return r;
	dumb_buffer_fill(d, outer, inner, iw, ih);
	dumb_buffer_unmap(d);
	return dumb_buffer_add_fb(d, format);
}

void standin_play_flips(const struct standin_options *o, pthread_mutex_t *lock,
			struct fuse_pollers *pollers, void (*flip)(void))
{
	struct frame_clock clock;
	frame_clock_start(&clock, o->frame_ms);
	for (uint32_t i = 0; i < o->frames; i++) {
		pthread_mutex_lock(lock);
		flip();
		fuse_pollers_notify_all(pollers);
		pthread_mutex_unlock(lock);
		frame_clock_wait(&clock);
	}
}

static unsigned counted(const struct standin_counter *c)
{
	pthread_mutex_lock(c->lock);
	unsigned v = *c->value;
	pthread_mutex_unlock(c->lock);
	return v;
}

void standin_play_in_place(const char *prog, int card, const uint32_t *fb,
			   const struct standin_options *o, const struct standin_counter *c)
{
	pthread_mutex_lock(c->lock);
	unsigned asked0 = *c->value;
	uint32_t id = *fb;
	pthread_mutex_unlock(c->lock);
	unsigned flushed = 0;
	int r = inplace_frames_play(card, id, o->pid_file, o->frames, o->frame_ms, &flushed);
	if (r < 0)
		fprintf(stderr, "%s: in place on fb %u: %s\n", prog, id, strerror(-r));
	printf("inplace frames=%u flushed=%u %s=%u\n", o->frames, flushed, c->name,
	       counted(c) - asked0);
	fflush(stdout);
}
