/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct card;
struct kms_commit;
struct source_cursor;
struct state;
struct vm;

/* Adds vGPU plane k showing fb to c, scaled and placed as the vm asks. */
int planes_add(struct card *card, struct vm *vm, struct kms_commit *c, size_t k, uint32_t fb);
/* One commit through the lessee fd: modeset (on grant) plus every plane.
 * fbs are what the planes show: mirrors or the sources' own; cur the
 * cursor (fb 0: off). */
int planes_commit(struct state *d, struct vm *vm, bool modeset, const uint32_t *fbs,
		  const struct source_cursor *cur);
/* Whether one of vm's sources reports no change: then every pass reads
 * them (daemon/state/dirty.h). */
bool planes_unsignalled(const struct vm *vm);
/* on-vm-exit=keep shows a mirror of what plane k's source names. */
bool planes_wants_mirror(const struct vm *vm, size_t k);
/* Reads the sources and commits what changed; everything with modeset.
 * 1 when it committed, 0 when nothing changed, or a negative errno. */
int planes_map(struct state *d, struct vm *vm, bool modeset);
/* planes_map without modeset when a source shows something else; quiet:
 * no log line (per frame). */
int planes_remap_if_changed(struct state *d, struct vm *vm, bool quiet);
