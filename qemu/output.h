/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The leased CRTC's planes as the bridge drives them: one atomic commit
 * per frame (primary plane, and the cursor plane when the lease has one),
 * non-blocking with a page-flip event, at most one in flight. Property ids
 * are resolved once per lease.
 */
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "kms/scale.h"

struct output;

struct output_lease {
	int fd;              /* the lease fd, borrowed */
	uint32_t crtc, primary, cursor; /* cursor 0: none */
	uint32_t mode_w, mode_h;
};

/* What a commit shows. fb 0 switches the plane off. */
struct output_state {
	uint32_t fb;
	struct kms_rect src, dst;
	bool reflect_y;
	uint32_t cursor_fb;  /* 0: cursor plane off */
	int32_t cursor_x, cursor_y;
	uint32_t cursor_w, cursor_h;
};

typedef void (*output_flip_fn)(void *data);

int output_new(sd_event *ev, const struct output_lease *l, output_flip_fn on_flip, void *data,
	       struct output **out);
struct output *output_free(struct output *o);

bool output_has_reflect_y(const struct output *o);
/* The largest cursor the card takes (DRM_CAP_CURSOR_WIDTH), 64 without. */
uint32_t output_cursor_size(const struct output *o);
bool output_busy(const struct output *o);
/* TEST_ONLY: would the kernel take s? 0 or its error. */
int output_test(struct output *o, const struct output_state *s);
/* Commits s; on_flip runs when its page-flip event arrives (or after
 * 100 ms, for a driver or a sharer of the file that eats the event). */
int output_commit(struct output *o, const struct output_state *s);
/* Commits the planes off, blocking (on exit with on-vm-exit=black). */
int output_off(struct output *o);
