/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/*
 * A seat's monitors side by side, for focus-follows-pointer: the pointer's
 * place in that desktop, moved by the seat's relative motion and kept
 * inside the monitors' bounding box. Pure geometry, no devices.
 */
struct desktop {
	struct {
		int64_t x, y, w, h;
		int vm;            /* the seat's VM index shown there, or -1 */
	} rects[CONFIG_MAX_MONITORS];
	size_t n;
	double px, py;
};

void desktop_init(struct desktop *d);
/* -ENOSPC past CONFIG_MAX_MONITORS, -EINVAL for an empty rectangle. */
int desktop_add(struct desktop *d, int64_t x, int64_t y, int64_t w, int64_t h, int vm);
/* Moves the pointer; returns the VM under it, or -1 (a gap, or a monitor
 * with no VM of the seat). */
int desktop_move(struct desktop *d, double dx, double dy);
/* Puts the pointer in the middle of the VM's monitor, if it has one. */
void desktop_warp_to_vm(struct desktop *d, int vm);
