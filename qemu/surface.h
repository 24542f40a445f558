/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The pixel path's frame: two dumb buffers with framebuffers on the lease
 * fd. QEMU's Scanout/Update pixels are copied once, the damaged rectangle
 * only, into the back buffer, which is then flipped to. The other buffer
 * misses that rectangle until it is the back buffer again: each buffer
 * keeps the rectangles it lacks (qemu/damage.h), minus what is written
 * into it since, and copies the rest from its twin just before it is
 * shown (the "catch-up" bytes, counted apart from the copy of the damage).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu/check.h"

struct surface;

struct surface_counters {
	uint64_t damaged;  /* bytes of the rectangles QEMU sent */
	uint64_t copied;   /* bytes written into the buffers for them */
	uint64_t catchup;  /* bytes copied between the two buffers: earlier
			    * frames' damage this frame did not overwrite */
	uint64_t moved;    /* bytes carried into a new surface (resize, new lease) */
};

/* Buffers larger (or smaller) than the frame, with the frame's origin at
 * ox, oy in them (negative: cropped): for a primary plane that can
 * neither scale nor be placed (virtio-gpu's covers the whole CRTC), the
 * buffers are the mode's size and the frame sits at its place in them. */
struct surface_canvas {
	uint32_t w, h;
	int32_t ox, oy;
};

/* A black w x h frame of fourcc (XRGB8888 or XBGR8888) on fd (borrowed;
 * it must outlive the surface), in buffers of the frame's size or, with
 * canvas, of the canvas's. With from, the overlap of from's newest
 * content is carried over (a resize, or a new lease's fd). Its bytes are
 * added to count (borrowed: it outlives the surface). */
int surface_new(int fd, uint32_t w, uint32_t h, uint32_t fourcc,
		const struct surface_canvas *canvas, struct surface *from,
		struct surface_counters *count, struct surface **out);
/* The buffers' size (the canvas's, or the frame's). */
void surface_buffer_size(const struct surface *s, uint32_t *w, uint32_t *h);
bool surface_has_canvas(const struct surface *s);
struct surface *surface_free(struct surface *s);
/* Frees s's memory only: its framebuffers stay on the lease file, which
 * the daemon holds too (on-vm-exit=keep keeps the frame on the plane after
 * the bridge exits). */
struct surface *surface_forget(struct surface *s);

uint32_t surface_width(const struct surface *s);
uint32_t surface_height(const struct surface *s);
uint32_t surface_fourcc(const struct surface *s);

/* Copies r (inside the frame) from src, rows src_stride bytes apart,
 * into the back buffer. */
void surface_write(struct surface *s, const struct check_rect *r, const uint8_t *src,
		   size_t src_stride);
/* The framebuffer to show next: the back buffer, caught up with what it
 * lacks, or the front one when nothing was written since the last
 * surface_shown. */
uint32_t surface_next_fb(struct surface *s);
/* surface_next_fb's buffer was committed: the other one becomes the back. */
void surface_shown(struct surface *s);

