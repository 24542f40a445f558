/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "daemon/state/state.h"

struct service_fds;
struct vm;

/* Desired state (config) against actual state (card, lessees): grant,
 * revoke, modeset and map until they agree. Idempotent; a binding that
 * cannot be met is recorded in its vm and leaves the others alone. */
int reconcile(struct state *d, enum state_reread reread);
/* Commits vm's planes again when a source now shows something else (a
 * client pushed a frame); quiet, as it runs per frame. 0 when not leased. */
int reconcile_remap(struct state *d, struct vm *vm);
/* Revokes vm's lease and blanks what it had: revoke alone leaves the
 * lessee's last frame on screen. */
void reconcile_release(struct state *d, struct vm *vm, const char *why);
/* take-lease (docs/protocol.md): shows fb (the new client's first frame,
 * imported on the card fd) on vm's plane 0 through the daemon's master fd
 * and emits lease-takeover with detail, then revokes the old lease, grants
 * a new one over the same objects with a grant's hygiene, and keeps fb on
 * plane 0. A failure before the frame is shown changes nothing and leaves
 * fb to the caller; after that fb is the vm's (removed once unused), and a
 * failure after the revoke releases the vm to be granted again. */
int reconcile_takeover(struct state *d, struct vm *vm, uint32_t fb, const char *detail);
/* Removes the take-lease frame once plane 0 shows something else. */
void reconcile_collect_takeover(struct state *d, struct vm *vm);
/* The card went away with its leases: forget them without kernel calls. */
void reconcile_card_lost(struct state *d);
/* After a restart: takes back the lessee fds kept in the fd store, keeps
 * the leases that still match the layout and revokes the others. */
void reconcile_adopt(struct state *d, struct service_fds *stored);
/* Exit without revoking: the fd store keeps every lease alive. */
void reconcile_handover(struct state *d);
/* After the seat comes back: while it was away another DRM master (the
 * console) may have set its own modes, so every lease is committed again. */
void reconcile_restore(struct state *d);
