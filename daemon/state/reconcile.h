/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "daemon/state/state.h"

struct vm;

/* Desired state (config) against actual state (card, lessees): grant,
 * revoke, modeset and map until they agree. Idempotent; a binding that
 * cannot be met is recorded in its vm and leaves the others alone. */
int reconcile(struct state *d, enum state_reread reread);
/* Commits vm's planes again when a source now shows something else (a
 * client pushed a frame); quiet, as it runs per frame. 0 when not leased. */
int reconcile_remap(struct state *d, struct vm *vm);
