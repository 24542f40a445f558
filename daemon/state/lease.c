/* SPDX-License-Identifier: MIT */
/*
 * A vm's lease over its lifetime: grant (allocate, lease, modeset),
 * release (revoke and blank), card loss, and across a restart: handover
 * to the fd store, adopt from it, restore after the seat comes back.
 */
#include "daemon/state/lease.h"

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
#include "daemon/service.h"
#include "daemon/state/ids.h"
#include "daemon/state/lease-name.h"
#include "daemon/state/monitor.h"
#include "daemon/state/planes.h"
#include "kms/alloc.h"
#include "kms/commit.h"
#include "kms/framebuffer.h"
#include "kms/lease.h"
#include "kms/snapshot.h"

static const struct kms_mode *pick_mode(const struct kms_connector *c, const struct config_mode *want)
{
	if (!want->set)
		return kms_connector_preferred_mode(c);
	const struct kms_mode *best = NULL;
	for (size_t i = 0; i < c->n_modes; i++) {
		const drmModeModeInfo *m = &c->modes[i].info;
		if (m->hdisplay != want->width || m->vdisplay != want->height)
			continue;
		if (want->refresh && m->vrefresh != want->refresh)
			continue;
		if (!best || c->modes[i].preferred)
			best = &c->modes[i];
	}
	return best;
}

static int lease_fd_name(const struct vm *vm, char name[LEASE_NAME_MAX])
{
	return lease_name_format(vm->name, vm->lessee_id, &vm->alloc, name);
}

/* The fd store keeps the lease fd across restarts (docs/service.md). */
void lease_store_fd(struct vm *vm)
{
	char name[LEASE_NAME_MAX];
	int r = lease_fd_name(vm, name);
	if (r == 0)
		r = service_store_fd(vm->lease_fd, name);
	if (r < 0)
		log_errno(r, "vm=%s: cannot keep the lease fd in the fd store", vm->name);
}

void lease_forget_fd(const struct vm *vm)
{
	char name[LEASE_NAME_MAX];
	if (lease_fd_name(vm, name) == 0)
		service_forget_fd(name);
}

static void release_fd(struct vm *vm)
{
	lease_forget_fd(vm);
	if (vm->lease_fd >= 0) {
		/* A client may still hold the lease file, which would keep them. */
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			if (vm->mirrored[k] && vm->shown_fb[k])
				kms_fb_remove(vm->lease_fd, vm->shown_fb[k]);
		close(vm->lease_fd);
	}
	vm->lease_fd = -1;
	vm->lessee_id = 0;
	memset(vm->shown_fb, 0, sizeof(vm->shown_fb));
	memset(vm->mirrored, 0, sizeof(vm->mirrored));
	memset(vm->source_fb, 0, sizeof(vm->source_fb));
	memset(vm->source_serial, 0, sizeof(vm->source_serial));
	vm->cursor = (struct source_cursor){ 0 };
}

/* The take-lease frame goes with the lease: after the blanking commit, or
 * the kernel would switch the plane off itself in between. */
static void drop_takeover_fb(struct card *card, struct vm *vm)
{
	if (vm->takeover_fb && card)
		drmModeRmFB(card->fd, vm->takeover_fb);
	vm->takeover_fb = 0;
}

void lease_release(struct state *d, struct vm *vm, const char *why)
{
	if (vm->state != VM_LEASED)
		return;
	struct card *card = d->card;
	int r = kms_lease_revoke(card->fd, vm->lessee_id);
	if (r < 0)
		log_errno(r, "vm=%s connector=%s: revoking lessee %u failed", vm->name,
			  vm->conn_name, vm->lessee_id);

	struct kms_commit *c = kms_commit_create(card->fd, card->props);
	if (c) {
		for (size_t k = 0; k < vm->alloc.n_planes; k++)
			kms_commit_plane_off(c, vm->alloc.planes[k]);
		if (vm->alloc.cursor_plane_id)
			kms_commit_plane_off(c, vm->alloc.cursor_plane_id);
		kms_commit_disable_crtc(c, vm->conn_id, vm->alloc.crtc_id);
		r = kms_commit_apply(c, true);
		kms_commit_destroy(c);
	} else {
		r = -ENOMEM;
	}
	if (r < 0)
		log_errno(r, "vm=%s connector=%s crtc=%u: blanking after revoke failed", vm->name,
			  vm->conn_name, vm->alloc.crtc_id);
	else
		kms_snapshot_crtc_off(card->snap, vm->alloc.crtc_id);
	/* Its connector, CRTC and planes are free: the next pass looks at
	 * the vms waiting (daemon/state/dirty.h). */
	d->lease_ended = true;

	log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-revoked reason=\"%s\"",
		 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
		 vm->alloc.crtc_id, vm->lessee_id, why);
	events_emit(d->events, DF_EVENT_LEASE_REVOKED, vm->name, vm->cfg->monitor, why);
	release_fd(vm);
	drop_takeover_fb(card, vm);
	vm->state = VM_WAITING;
	vm_clear_error(vm);
}

void lease_lost(struct state *d, struct vm *vm)
{
	log_warn("vm=%s connector=%s lessee=%u action=lease-lost", vm->name, vm->conn_name,
		 vm->lessee_id);
	release_fd(vm);
	drop_takeover_fb(d->card, vm);
	vm->state = VM_WAITING;
	vm->dirty = true;
	d->lease_ended = true;
}

void lease_card_lost(struct state *d)
{
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			if (vm->sources[k])
				source_card_lost(vm->sources[k]);
		if (vm->state != VM_LEASED)
			continue;
		log_warn("vm=%s connector=%s lessee=%u action=lease-lost reason=\"card removed\"",
			 vm->name, vm->conn_name, vm->lessee_id);
		release_fd(vm);
		vm->takeover_fb = 0;  /* went with the card */
		vm->state = VM_WAITING;
		vm->dirty = true;
	}
}

/* Objects held by other leases, and CRTCs/planes the host itself drives. */
static void busy_objects(struct state *d, const struct vm *self, uint32_t *busy_crtcs,
			 uint32_t *busy_planes, size_t *n_busy)
{
	const struct kms_snapshot *snap = d->card->snap;
	*busy_crtcs = 0;
	*n_busy = 0;
	for (size_t i = 0; i < d->n_vms; i++) {
		const struct vm *o = d->vms[i];
		if (o == self || o->state != VM_LEASED)
			continue;
		*busy_crtcs |= 1u << o->alloc.crtc_index;
		for (size_t k = 0; k < o->alloc.n_planes; k++)
			busy_planes[(*n_busy)++] = o->alloc.planes[k];
		if (o->alloc.cursor_plane_id)
			busy_planes[(*n_busy)++] = o->alloc.cursor_plane_id;
	}
	/* A CRTC lighting another connector belongs to the host (fbcon, say). */
	for (size_t i = 0; i < snap->n_connectors; i++) {
		const struct kms_connector *c = &snap->connectors[i];
		size_t idx;
		if (c->id == self->conn_id || !c->crtc_id || !kms_snapshot_crtc_by_id(snap, c->crtc_id, &idx))
			continue;
		bool ours = false;
		for (size_t v = 0; v < d->n_vms; v++)
			ours |= d->vms[v]->state == VM_LEASED && d->vms[v]->alloc.crtc_id == c->crtc_id;
		if (ours || idx >= 32)
			continue;
		*busy_crtcs |= 1u << idx;
		for (size_t p = 0; p < snap->n_planes; p++)
			if (snap->planes[p].crtc_id == c->crtc_id)
				busy_planes[(*n_busy)++] = snap->planes[p].id;
	}
}

void lease_grant(struct state *d, struct vm *vm, const struct config_monitor *mon,
		  const struct kms_connector *conn)
{
	struct card *card = d->card;
	const struct config_mode *want = vm->cfg->mode.set ? &vm->cfg->mode : &mon->mode;
	const struct kms_mode *mode = pick_mode(conn, want);
	if (!mode) {
		if (want->set)
			vm_fail(vm, VM_FAILED, "connector %s offers no mode %ux%u%s", conn->name,
				want->width, want->height, want->refresh ? " at that refresh" : "");
		else
			vm_fail(vm, VM_FAILED, "connector %s offers no modes", conn->name);
		return;
	}

	/* Each plane is busy at most once: ours, another lease's, or the host's. */
	uint32_t *busy_planes = calloc(card->snap->n_planes +
					       d->n_vms * (KMS_ALLOC_MAX_PLANES + 1) + 1,
				       sizeof(uint32_t));
	if (!busy_planes) {
		vm_fail(vm, VM_FAILED, "out of memory");
		return;
	}
	struct kms_alloc_request req = { .connector_id = conn->id, .n_planes = vm->cfg->planes };
	vm->conn_id = conn->id;
	busy_objects(d, vm, &req.busy_crtcs, busy_planes, &req.n_busy_planes);
	req.busy_planes = busy_planes;
	struct kms_alloc_result alloc;
	enum kms_alloc_status st = kms_alloc(card->snap, &req, &alloc);
	free(busy_planes);
	if (st != KMS_ALLOC_OK) {
		vm_fail(vm, VM_FAILED, "connector %s, %u plane(s): %s", conn->name, vm->cfg->planes,
			kms_alloc_status_str(st));
		return;
	}

	uint32_t objects[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(conn->id, &alloc, objects);
	uint32_t lessee = 0;
	int lfd = -1;
	int r = kms_lease_create(card->fd, objects, n, &lessee, &lfd);
	if (r < 0) {
		vm_fail(vm, VM_FAILED, "connector %s crtc %u: creating the lease failed: %s",
			conn->name, alloc.crtc_id, strerror(-r));
		return;
	}
	vm->alloc = alloc;
	vm->lessee_id = lessee;
	vm->lease_fd = lfd;
	vm->mode = mode->info;
	snprintf(vm->conn_name, sizeof(vm->conn_name), "%s", conn->name);
	vm->state = VM_LEASED;

	r = kms_lease_prepare_lessee(lfd);
	/* Cleared before the sources are read: a source's error outlives the grant. */
	vm_clear_error(vm);
	if (r == 0)
		r = planes_map(d, vm, true);
	if (r < 0) {
		lease_release(d, vm, "modeset failed");
		vm_fail(vm, VM_FAILED, "connector %s crtc %u mode %s: modeset refused: %s%s", conn->name,
			alloc.crtc_id, mode->info.name, strerror(-r),
			r == -ERANGE ? " (the plane cannot scale or place the framebuffer there: "
				       "try mode= matching the framebuffer size, or scaling=none)"
				     : "");
		return;
	}

	lease_store_fd(vm);

	char planes[128] = "";
	size_t len = 0;
	for (size_t k = 0; k < alloc.n_planes; k++)
		len += (size_t)snprintf(planes + len, sizeof(planes) - len, "%s%u", k ? "," : "",
					alloc.planes[k]);
	log_info("vm=%s monitor=%s connector=%s crtc=%u planes=%s cursor=%u mode=%s@%u lessee=%u "
		 "action=lease-granted",
		 vm->name, mon->name, conn->name, alloc.crtc_id, planes, alloc.cursor_plane_id,
		 mode->info.name, mode->info.vrefresh, lessee);
	events_emit(d->events, DF_EVENT_LEASE_GRANTED, vm->name, mon->name, conn->name);
}

/* Rebuilds vm's lease state from a stored lessee fd and the plane order
 * stored with it; false when the lease does not fit the vm's binding any
 * more. */
static bool adopt_one(struct state *d, struct vm *vm, int fd, const struct lease_name *stored)
{
	const struct kms_snapshot *snap = d->card->snap;
	drmModeObjectListPtr objs = drmModeGetLease(fd);
	if (!objs)
		return false;
	struct kms_alloc_result alloc;
	uint32_t conn_id = 0;
	int r = kms_lease_classify(snap, objs->objects, objs->count, stored->overlays,
				   stored->n_overlays, &conn_id, &alloc);
	drmFree(objs);
	if (r < 0)
		return false;
	const struct kms_connector *conn = NULL;
	for (size_t c = 0; c < snap->n_connectors; c++)
		if (snap->connectors[c].id == conn_id)
			conn = &snap->connectors[c];
	const struct config_monitor *mon =
		vm->cfg->monitor ? config_monitor_by_name(d->config, vm->cfg->monitor) : NULL;
	const struct kms_connector *want = mon ? monitor_find_connector(snap, mon) : NULL;
	const struct kms_crtc *crtc = kms_snapshot_crtc_by_id(snap, alloc.crtc_id, NULL);
	if (!conn || !want || want->id != conn->id || !crtc || !crtc->mode_valid ||
	    alloc.n_planes != vm->cfg->planes || kms_lease_prepare_lessee(fd) < 0)
		return false;

	vm->alloc = alloc;
	vm->lessee_id = stored->lessee;
	vm->lease_fd = fd;
	vm->conn_id = conn->id;
	vm->mode = crtc->mode;
	snprintf(vm->conn_name, sizeof(vm->conn_name), "%s", conn->name);
	for (size_t k = 0; k < alloc.n_planes; k++) {
		const struct kms_plane *p = kms_snapshot_plane_by_id(snap, alloc.planes[k]);
		vm->shown_fb[k] = p ? p->fb_id : 0;
		/* Our mirror from before the restart, made on this file; it is
		 * replaced on the next pass. A framebuffer of another file is
		 * not removed: the kernel refuses that. */
		vm->mirrored[k] = planes_wants_mirror(vm, k) && vm->shown_fb[k];
		vm->source_fb[k] = 0;
		vm->source_serial[k] = 0;
	}
	vm->state = VM_LEASED;
	vm_clear_error(vm);
	return true;
}

void lease_adopt(struct state *d, struct service_fds *stored)
{
	uint32_t *ids = NULL;
	size_t n_ids = 0;
	if (!d->card || kms_lease_list(d->card->fd, &ids, &n_ids) < 0)
		return;
	for (size_t i = 0; i < stored->n; i++) {
		const char *name = stored->names[i];
		int fd = stored->fds[i];
		if (fd < 0 || !name || strncmp(name, "lease.", 6) != 0)
			continue;
		struct lease_name ln;
		if (lease_name_parse(name, &ln) < 0)
			continue;
		uint32_t lessee = ln.lessee;
		stored->fds[i] = -1;
		struct vm *vm = NULL;
		for (size_t v = 0; v < d->n_vms; v++)
			if (strlen(d->vms[v]->name) == ln.vm_len &&
			    strncmp(d->vms[v]->name, ln.vm, ln.vm_len) == 0)
				vm = d->vms[v];
		bool alive = id_in(ids, n_ids, lessee);
		if (vm && vm->state != VM_LEASED && alive && adopt_one(d, vm, fd, &ln)) {
			log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-adopted",
				 vm->name, vm->cfg->monitor, vm->conn_name, vm->alloc.crtc_id, lessee);
			continue;
		}
		/* Stale: the layout changed while we were away, or the lease is gone. */
		if (alive)
			kms_lease_revoke(d->card->fd, lessee);
		service_forget_fd(name);
		close(fd);
		log_info("stored lease %s dropped: %s", name,
			 !alive ? "the kernel no longer has it" : "it no longer matches the layout");
	}
	free(ids);
}

void lease_handover(struct state *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		if (vm->state != VM_LEASED)
			continue;
		close(vm->lease_fd);
		vm->lease_fd = -1;
		vm->state = VM_WAITING;
		n++;
	}
	log_info("leaving %zu lease(s) to the fd store", n);
}

void lease_restore(struct state *d)
{
	struct card *card = d->card;
	if (!card)
		return;
	int r = card_refresh(card);
	if (r < 0) {
		log_errno(r, "%s: re-reading KMS resources failed", card->path);
		return;
	}
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		if (vm->state != VM_LEASED)
			continue;
		r = planes_map(d, vm, true);
		if (r < 0) {
			/* The next reconcile decides: revoke and re-grant if it must. */
			log_errno(r, "vm=%s connector=%s: restoring the picture failed", vm->name,
				  vm->conn_name);
			continue;
		}
		log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-restored",
			 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
			 vm->alloc.crtc_id, vm->lessee_id);
	}
}
