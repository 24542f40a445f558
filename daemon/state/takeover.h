/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

struct state;
struct vm;

/* Shows fb (the new client's first frame, imported on the card fd) on
 * vm's plane 0 through the daemon's master fd and emits lease-takeover
 * with detail, then revokes the old lease, grants a new one over the same
 * objects with a grant's hygiene, and keeps fb on plane 0. A failure
 * before the frame is shown changes nothing and leaves fb to the caller;
 * after that fb is the vm's (removed once unused), and a failure after
 * the revoke releases the vm to be granted again. */
int takeover_start(struct state *d, struct vm *vm, uint32_t fb, const char *detail);
/* Removes the take-lease frame once plane 0 shows something else. */
void takeover_collect(struct state *d, struct vm *vm);
