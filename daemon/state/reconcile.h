/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "daemon/state/state.h"

struct config;
struct config_monitor;
struct kms_connector;
struct kms_snapshot;
struct vm;

/* What the pass does with one vm, decided from the layout, the card's
 * snapshot and the vms' states; pure. */
enum reconcile_action {
	RECONCILE_KEEP,            /* leased where it should be: re-commit what changed */
	RECONCILE_RELEASE,         /* leased, but its monitor is gone, moved or unbound */
	RECONCILE_UNBOUND,         /* no monitor= */
	RECONCILE_NOT_CONNECTED,   /* its monitor is not connected (waiting) */
	RECONCILE_SHOWN_ELSEWHERE, /* another vm holds that connector (waiting) */
	RECONCILE_GRANT,
};

struct reconcile_verdict {
	enum reconcile_action action;
	const struct config_monitor *mon;   /* the vm's [monitor.NAME], if any */
	const struct kms_connector *match;  /* the connector it names, connected or not */
	const struct kms_connector *want;   /* match when connected */
	const struct vm *holder;            /* RECONCILE_SHOWN_ELSEWHERE */
};

struct reconcile_verdict reconcile_judge(const struct config *cfg,
					 const struct kms_snapshot *snap, struct vm *const *vms,
					 size_t n_vms, size_t i);

/* Desired state (config) against actual state (card, lessees): grant,
 * revoke, modeset and map until they agree. Idempotent; a binding that
 * cannot be met is recorded in its vm and leaves the others alone. */
int reconcile(struct state *d, enum state_reread reread);
/* Commits vm's planes again when a source now shows something else (a
 * client pushed a frame); quiet, as it runs per frame. 0 when not leased. */
int reconcile_remap(struct state *d, struct vm *vm);
