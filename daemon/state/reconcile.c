/* SPDX-License-Identifier: MIT */
/*
 * The reconcile pass: desired state (the layout and the runtime bindings)
 * against actual state (the card's snapshot, the kernel's lessees). It
 * decides; lease.c grants and releases, planes.c commits.
 */
#include "daemon/state/reconcile.h"
#include "daemon/state/takeover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "config/config.h"
#include "daemon/log.h"
#include "daemon/session/card.h"
#include "daemon/source/source.h"
#include "daemon/state/events.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "daemon/state/dirty.h"
#include "daemon/state/ids.h"
#include "daemon/state/lease.h"
#include "daemon/state/monitor.h"
#include "daemon/state/planes.h"
#include "kms/lease.h"

int reconcile_remap(struct state *d, struct vm *vm)
{
	if (!d->card || vm->state != VM_LEASED)
		return 0;
	return planes_remap_if_changed(d, vm, true);
}

struct reconcile_verdict reconcile_judge(const struct config *cfg,
					 const struct kms_snapshot *snap, struct vm *const *vms,
					 size_t n_vms, size_t i)
{
	const struct vm *vm = vms[i];
	struct reconcile_verdict v = { 0 };
	v.mon = vm->cfg->monitor ? config_monitor_by_name(cfg, vm->cfg->monitor) : NULL;
	v.match = v.mon ? monitor_find_connector(snap, v.mon) : NULL;
	if (v.match && v.match->connection == KMS_CONNECTED)
		v.want = v.match;
	if (vm->state == VM_LEASED) {
		v.action = v.want && v.want->id == vm->conn_id ? RECONCILE_KEEP : RECONCILE_RELEASE;
		return v;
	}
	if (!vm->cfg->monitor) {
		v.action = RECONCILE_UNBOUND;
		return v;
	}
	if (!v.want) {
		v.action = RECONCILE_NOT_CONNECTED;
		return v;
	}
	for (size_t j = 0; j < n_vms; j++)
		if (vms[j]->state == VM_LEASED && vms[j]->conn_id == v.want->id)
			v.holder = vms[j];
	v.action = v.holder ? RECONCILE_SHOWN_ELSEWHERE : RECONCILE_GRANT;
	return v;
}

/* Beyond it, a hotplug probes every connector at once. */
#define KMS_WAITING_MAX 64

/* Connectors a vm without a lease could be shown on: the one its monitor
 * matches, or, for a monitor that matches none (an EDID seen nowhere),
 * every disconnected one. */
static size_t waiting_connectors(const struct state *d, uint32_t out[KMS_WAITING_MAX])
{
	const struct kms_snapshot *snap = d->card->snap;
	size_t n = 0;
	for (size_t i = 0; i < d->n_vms; i++) {
		const struct vm *vm = d->vms[i];
		if (vm->state == VM_LEASED || !vm->cfg->monitor)
			continue;
		const struct config_monitor *mon = config_monitor_by_name(d->config, vm->cfg->monitor);
		if (!mon)
			continue;
		const struct kms_connector *c = monitor_find_connector(snap, mon);
		for (size_t k = 0; k < snap->n_connectors; k++) {
			const struct kms_connector *o = &snap->connectors[k];
			bool take = c ? o == c : o->connection != KMS_CONNECTED;
			if (take && !id_in(out, n, o->id) && n < KMS_WAITING_MAX)
				out[n++] = o->id;
		}
	}
	return n;
}

static int reconcile_pass(struct state *d, bool full, bool connectors_read);

int reconcile(struct state *d, enum state_reread reread)
{
	struct card *card = d->card;
	if (!card) {
		for (size_t i = 0; i < d->n_vms; i++)
			if (d->vms[i]->cfg->monitor)
				vm_fail(d->vms[i], VM_WAITING, "no card: waiting for it to come back");
		return 0;
	}
	/* Probing a connector costs a driver round trip, so on a hotplug the
	 * connectors a waiting vm could take are probed first and their vms
	 * granted; then the rest are probed and everything is checked again. */
	uint32_t first[KMS_WAITING_MAX], rest[KMS_WAITING_MAX];
	size_t n_first = 0, n_rest = 0;
	if (reread == STATE_REREAD_CONNECTORS && card->snap &&
	    card->snap->n_connectors <= KMS_WAITING_MAX) {
		n_first = waiting_connectors(d, first);
		for (size_t i = 0; i < card->snap->n_connectors; i++)
			if (!id_in(first, n_first, card->snap->connectors[i].id))
				rest[n_rest++] = card->snap->connectors[i].id;
	}
	int r;
	if (n_first > 0 && n_rest > 0) {
		r = card_refresh_connectors(card, first, n_first);
		if (r < 0)
			return log_errno(r, "%s: re-reading KMS resources failed", card->path);
		r = reconcile_pass(d, false, true);
		if (r < 0)
			return r;
		r = card_refresh_connectors(card, rest, n_rest);
	} else {
		r = reread == STATE_REREAD_ALL ? card_refresh(card) :
		    reread == STATE_REREAD_CONNECTORS ? card_refresh_connectors(card, NULL, 0) : 0;
	}
	if (r < 0)
		return log_errno(r, "%s: re-reading KMS resources failed", card->path);
	/* A full pass where nothing was tracked: startup, the seat back, a
	 * reload, a card added (STATE_REREAD_ALL). */
	return reconcile_pass(d, reread == STATE_REREAD_ALL, reread == STATE_REREAD_CONNECTORS);
}

static unsigned scope_of(const struct dirty_pass *pass, const struct vm *vm)
{
	bool leased = vm->state == VM_LEASED;
	const struct dirty_vm in = {
		.leased = leased,
		.dirty = vm->dirty,
		.unsignalled = leased && planes_unsignalled(vm),
		.takeover_shown = vm->takeover_fb != 0,
	};
	return dirty_scope(pass, &in);
}

/* One pass over a snapshot already read: drop lost leases, release, grant;
 * only for the vms dirty_scope names. */
static int reconcile_pass(struct state *d, bool full, bool connectors_read)
{
	struct card *card = d->card;
	int r;

	/* The kernel's lessee list is the truth: a lease can end without us. */
	uint32_t *ids = NULL;
	size_t n_ids = 0;
	r = kms_lease_list(card->fd, &ids, &n_ids);
	if (r < 0)
		return log_errno(r, "%s: listing lessees failed", card->path);
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		if (vm->state == VM_LEASED && !id_in(ids, n_ids, vm->lessee_id))
			lease_lost(d, vm);
	}
	free(ids);

	struct dirty_pass pass = { .full = full, .connectors_read = connectors_read,
				   .lease_ended = d->lease_ended };
	/* Release before granting so that freed CRTCs can move. */
	for (size_t i = 0; i < d->n_vms; i++) {
		if (!(scope_of(&pass, d->vms[i]) & DIRTY_JUDGE))
			continue;
		struct reconcile_verdict v = reconcile_judge(d->config, card->snap, d->vms, d->n_vms, i);
		if (v.action == RECONCILE_RELEASE)
			lease_release(d, d->vms[i], v.want ? "monitor moved" : "monitor gone or unbound");
	}
	/* A lease that ends from here on (a grant that fails) frees nothing
	 * that was free before it: the next pass need not look for it. */
	pass.lease_ended = d->lease_ended;
	d->lease_ended = false;

	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		unsigned scope = scope_of(&pass, vm);
		vm->dirty = false;
		struct reconcile_verdict v = { .action = RECONCILE_KEEP };
		if (scope & DIRTY_JUDGE)
			v = reconcile_judge(d->config, card->snap, d->vms, d->n_vms, i);
		else if (vm->state != VM_LEASED)
			continue;
		switch (v.action) {
		case RECONCILE_KEEP:
			if (scope & DIRTY_SOURCES)
				planes_remap_if_changed(d, vm, false);
			if (scope & DIRTY_COLLECT)
				takeover_collect(d, vm);
			break;
		case RECONCILE_RELEASE:  /* released above */
			break;
		case RECONCILE_UNBOUND:
			vm->state = VM_UNBOUND;
			break;
		case RECONCILE_NOT_CONNECTED:
			vm_fail(vm, VM_WAITING, "monitor %s (%s) is not connected", vm->cfg->monitor,
				v.match ? v.match->name : "no matching connector");
			break;
		case RECONCILE_SHOWN_ELSEWHERE:
			vm_fail(vm, VM_WAITING, "monitor %s (%s) is shown by vm %s", vm->cfg->monitor,
				v.want->name, v.holder->name);
			break;
		case RECONCILE_GRANT:
			lease_grant(d, vm, v.mon, v.want);
			break;
		}
	}
	return 0;
}
