/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * What one of the two pixel buffers lacks of the picture: a short list of
 * disjoint-enough rectangles. A write into the buffer is subtracted from
 * it exactly, so the catch-up from the other buffer copies only the
 * previous frames' damage that this frame did not overwrite. Pure: the
 * unit tests (tests/unit/test_qemu_damage.c) drive it directly.
 */
#include <stdbool.h>
#include <stdint.h>

#include "qemu/check.h"

#define DAMAGE_MAX 32

struct damage {
	struct check_rect r[DAMAGE_MAX];
	int n;
};

/* Adds r: dropped when one rectangle covers it, joined with one it
 * extends exactly (text-mode bands: same x and width, touching), and past
 * DAMAGE_MAX everything becomes its bounding box (a larger catch-up, never
 * a wrong one: the buffer lacks at most what the list says). */
void damage_add(struct damage *d, const struct check_rect *r);

/* Removes r (about to be written) from every rectangle, splitting each
 * into at most 4. false: the pieces would not fit in DAMAGE_MAX; d is
 * then unchanged and pieces (DAMAGE_MAX * 4 of room) holds d minus r, to
 * be caught up at once. */
bool damage_subtract(struct damage *d, const struct check_rect *r,
		     struct check_rect pieces[DAMAGE_MAX * 4], int *n_pieces);

uint64_t damage_bytes(const struct damage *d); /* 4 bytes a pixel */
