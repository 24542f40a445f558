/* SPDX-License-Identifier: MIT */
#include "daemon/state/reconcile.h"
#include "daemon/state/lease-name.h"
#include "daemon/state/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "daemon/session/card.h"
#include "daemon/state/events.h"
#include "daemon/log.h"
#include "daemon/state/monitor.h"
#include "daemon/service.h"
#include "daemon/source/source.h"
#include "daemon/state/vm.h"
#include "kms/commit.h"
#include "kms/lease.h"
#include "kms/framebuffer.h"
#include "config/number.h"

#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))

static void vm_fail(struct vm *vm, enum vm_state state, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void vm_fail(struct vm *vm, enum vm_state state, const char *fmt, ...)
{
	char msg[sizeof(vm->error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool changed = vm->state != state || strcmp(msg, vm->error) != 0;
	vm->state = state;
	memcpy(vm->error, msg, sizeof(msg));
	/* One line per decision, not one per pass. */
	if (changed)
		log_msg(state == VM_FAILED ? LOG_ERR : LOG_INFO, "vm=%s monitor=%s state=%s reason=\"%s\"",
			vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm_state_name(state), msg);
}

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
static void store_lease_fd(struct vm *vm)
{
	char name[LEASE_NAME_MAX];
	int r = lease_fd_name(vm, name);
	if (r == 0)
		r = service_store_fd(vm->lease_fd, name);
	if (r < 0)
		log_errno(r, "vm=%s: cannot keep the lease fd in the fd store", vm->name);
}

static void forget_lease_fd(const struct vm *vm)
{
	char name[LEASE_NAME_MAX];
	if (lease_fd_name(vm, name) == 0)
		service_forget_fd(name);
}

static void release_fd(struct vm *vm)
{
	forget_lease_fd(vm);
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

void reconcile_release(struct state *d, struct vm *vm, const char *why)
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

	log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-revoked reason=\"%s\"",
		 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
		 vm->alloc.crtc_id, vm->lessee_id, why);
	events_emit(d->events, DF_EVENT_LEASE_REVOKED, vm->name, vm->cfg->monitor, why);
	release_fd(vm);
	drop_takeover_fb(card, vm);
	vm->state = VM_WAITING;
	vm->error[0] = '\0';
}

void reconcile_card_lost(struct state *d)
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
	}
}

/* A source's news changes no KMS object: the pass needs no card re-read
 * (that was most of a flip's cost on gvt-sysfs and vfio (a)). */
static void on_source_changed(void *data)
{
	state_schedule(data, STATE_REREAD_NONE);
}

#define SOURCE_ERROR_PREFIX "plane source "

/* A source that cannot be read is the vm's error (vgpu-assign vms, an
 * error event), said once per change; it goes when the source works. */
static void note_source_error(struct state *d, struct vm *vm, size_t k, int r)
{
	char msg[sizeof(vm->error)];
	snprintf(msg, sizeof(msg), SOURCE_ERROR_PREFIX "%zu '%.150s': %s; %s", k,
		 source_spec(vm->sources[k]), strerror(-r),
		 vm->mirrored[k] && vm->shown_fb[k] ? "the last frame stays" : "the plane is off");
	if (strcmp(msg, vm->error) == 0)
		return;
	memcpy(vm->error, msg, sizeof(msg));
	log_error("vm=%s %s", vm->name, msg);
	events_emit(d->events, DF_EVENT_ERROR, vm->name, vm->cfg->monitor, msg);
}

/* The mode's frame time from its pixel clock (kHz); vrefresh is rounded. */
static uint64_t frame_usec(const drmModeModeInfo *m)
{
	if (m->clock && m->htotal && m->vtotal)
		return (uint64_t)m->htotal * m->vtotal * 1000 / m->clock;
	return m->vrefresh ? 1000000 / m->vrefresh : 16667;
}

/* Current fb per vGPU plane; 0 where the source has nothing to show. */
static void read_sources(struct state *d, struct vm *vm, uint32_t fbs[CONFIG_MAX_PLANES])
{
	bool failed = false;
	for (size_t k = 0; k < vm->alloc.n_planes; k++) {
		fbs[k] = 0;
		if (!vm->sources[k])
			continue;
		source_watch(vm->sources[k], d->loop, on_source_changed, d);
		source_set_output(vm->sources[k], d->card->fd, frame_usec(&vm->mode));
		int r = source_current_fb(vm->sources[k], &fbs[k]);
		if (r < 0)
			fbs[k] = 0;
		/* -ENOENT: nothing to show yet, which is no error. */
		if (r < 0 && r != -ENOENT) {
			note_source_error(d, vm, k, r);
			failed = true;
		}
	}
	if (!failed && strncmp(vm->error, SOURCE_ERROR_PREFIX, strlen(SOURCE_ERROR_PREFIX)) == 0)
		vm->error[0] = '\0';
}

static enum kms_scaling to_kms_scaling(enum config_scaling s)
{
	switch (s) {
	case CONFIG_SCALING_STRETCH:
		return KMS_SCALE_STRETCH;
	case CONFIG_SCALING_CENTER:
		return KMS_SCALE_CENTER;
	case CONFIG_SCALING_NONE:
		return KMS_SCALE_NONE;
	case CONFIG_SCALING_FIT:
		break;
	}
	return KMS_SCALE_FIT;
}

/* What the source of plane k says fb's size is, else the card's GETFB2. */
static int fb_size(struct card *card, struct vm *vm, size_t k, uint32_t fb, uint32_t *w, uint32_t *h)
{
	if (vm->sources[k] && source_fb_size(vm->sources[k], fb, w, h) == 0)
		return 0;
	return kms_fb_size(card->fd, fb, w, h);
}

/* Adds plane k showing fb (or off) to c. */
static int add_plane(struct card *card, struct vm *vm, struct kms_commit *c, size_t k, uint32_t fb)
{
	uint32_t plane = vm->alloc.planes[k];
	if (fb == 0) {
		kms_commit_plane_off(c, plane);
		return 0;
	}
	uint32_t w, h;
	int r = fb_size(card, vm, k, fb, &w, &h);
	if (r < 0)
		return r;
	struct kms_rect src, dst;
	kms_scale(to_kms_scaling(vm->cfg->scaling), w, h, vm->mode.hdisplay, vm->mode.vdisplay,
		  &src, &dst);
	kms_commit_plane(c, plane, vm->alloc.crtc_id, fb, &src, &dst);
	return 0;
}

/* The guest cursor on the CRTC's cursor plane, unscaled, at its place on
 * the primary plane (fb primary) as the vm's scaling maps that plane. */
static int add_cursor(struct card *card, struct vm *vm, struct kms_commit *c, uint32_t primary,
		      const struct source_cursor *cur)
{
	uint32_t pw, ph, cw, ch;
	int r = fb_size(card, vm, 0, primary, &pw, &ph);
	if (r == 0)
		r = fb_size(card, vm, 0, cur->fb_id, &cw, &ch);
	if (r < 0)
		return r;
	struct kms_rect src, dst;
	kms_scale(to_kms_scaling(vm->cfg->scaling), pw, ph, vm->mode.hdisplay, vm->mode.vdisplay,
		  &src, &dst);
	if (!src.w || !src.h)
		return -EINVAL;
	int64_t x = dst.x + ((int64_t)cur->x - src.x) * dst.w / src.w;
	int64_t y = dst.y + ((int64_t)cur->y - src.y) * dst.h / src.h;
	if (x < INT32_MIN / 2 || x > INT32_MAX / 2 || y < INT32_MIN / 2 || y > INT32_MAX / 2)
		return -ERANGE;
	struct kms_rect csrc = { 0, 0, cw, ch }, cdst = { (int32_t)x, (int32_t)y, cw, ch };
	kms_commit_plane(c, vm->alloc.cursor_plane_id, vm->alloc.crtc_id, cur->fb_id, &csrc, &cdst);
	return 0;
}

/* One commit through the lessee fd: modeset (on grant) plus every plane.
 * fbs are what the planes show: mirrors or the sources' own; cur the
 * cursor (fb 0: off). */
static int commit_vm(struct state *d, struct vm *vm, bool modeset, const uint32_t *fbs,
		     const struct source_cursor *cur)
{
	struct card *card = d->card;
	struct kms_commit *c = kms_commit_create(vm->lease_fd, card->props);
	if (!c)
		return -ENOMEM;
	int r = 0;
	if (modeset) {
		/* A clean CRTC for the new lessee: no colour state or planes
		 * left over from whoever had it before. */
		kms_commit_reset_color(c, vm->alloc.crtc_id);
		kms_commit_modeset(c, vm->conn_id, vm->alloc.crtc_id, &vm->mode);
		if (vm->alloc.cursor_plane_id && !(cur->fb_id && fbs[0]))
			kms_commit_plane_off(c, vm->alloc.cursor_plane_id);
	}
	for (size_t k = 0; k < vm->alloc.n_planes && r == 0; k++) {
		r = add_plane(card, vm, c, k, fbs[k]);
		if (r < 0)
			vm_fail(vm, VM_LEASED, "plane %zu: framebuffer %u unusable: %s", k, fbs[k],
				strerror(-r));
	}
	if (r == 0 && vm->alloc.cursor_plane_id && cur->fb_id && fbs[0]) {
		r = add_cursor(card, vm, c, fbs[0], cur);
		if (r < 0)
			vm_fail(vm, VM_LEASED, "cursor: framebuffer %u unusable: %s", cur->fb_id,
				strerror(-r));
	} else if (r == 0 && !modeset && vm->alloc.cursor_plane_id && vm->cursor.fb_id) {
		kms_commit_plane_off(c, vm->alloc.cursor_plane_id);
	}
	if (r == 0)
		r = kms_commit_apply(c, modeset);
	kms_commit_destroy(c);
	if (r == 0) {
		memcpy(vm->shown_fb, fbs, sizeof(vm->shown_fb));
		vm->cursor = cur->fb_id && fbs[0] ? *cur : (struct source_cursor){ 0 };
	}
	return r;
}

/* on-vm-exit=keep shows a mirror (kms/framebuffer.h) of what fb: and
 * gvt-sysfs: sources name, so the frame outlives the file that made it.
 * Client frames are the daemon's own imports already: shown as they are. */
static bool wants_mirror(const struct vm *vm, size_t k)
{
	if (vm->cfg->on_vm_exit != CONFIG_ON_VM_EXIT_KEEP || !vm->sources[k])
		return false;
	const char *kind = source_kind_name(vm->sources[k]);
	return strcmp(kind, "fb") == 0 || strcmp(kind, "gvt-sysfs") == 0;
}

/* Reads the sources and commits what changed; everything with modeset.
 * A mirror is replaced in the same commit that shows its successor and
 * removed after it, so the plane is never without a frame. Returns 1 when
 * it committed, 0 when nothing changed, or a negative errno. */
static int map_planes(struct state *d, struct vm *vm, bool modeset)
{
	uint32_t src[CONFIG_MAX_PLANES] = { 0 }, show[CONFIG_MAX_PLANES];
	uint32_t old_show[CONFIG_MAX_PLANES];
	uint64_t serial[CONFIG_MAX_PLANES] = { 0 };
	bool mirrored[CONFIG_MAX_PLANES], fresh[CONFIG_MAX_PLANES] = { 0 };
	read_sources(d, vm, src);
	/* The cursor goes with plane 0's source (vfio: reads one). */
	struct source_cursor cur = { 0 };
	if (vm->alloc.cursor_plane_id && vm->sources[0] && src[0] &&
	    source_cursor(vm->sources[0], &cur) < 0)
		cur = (struct source_cursor){ 0 };
	memcpy(show, vm->shown_fb, sizeof(show));
	memcpy(old_show, vm->shown_fb, sizeof(old_show));
	memcpy(mirrored, vm->mirrored, sizeof(mirrored));
	bool changed = modeset || cur.fb_id != vm->cursor.fb_id || cur.x != vm->cursor.x ||
		       cur.y != vm->cursor.y;
	for (size_t k = 0; k < vm->alloc.n_planes; k++) {
		serial[k] = vm->sources[k] ? source_serial(vm->sources[k]) : 0;
		bool same = src[k] == vm->source_fb[k] && serial[k] == vm->source_serial[k];
		if (!wants_mirror(vm, k)) {
			/* A republished id may be the same number: commit it again. */
			changed |= !same || show[k] != src[k] || mirrored[k];
			show[k] = src[k];
			mirrored[k] = false;
			continue;
		}
		/* Nothing to show: the last frame stays. */
		if (!src[k] || (same && mirrored[k] && show[k]))
			continue;
		uint32_t m;
		int r = kms_fb_mirror(vm->lease_fd, src[k], &m);
		if (r < 0) {
			note_source_error(d, vm, k, r);
			continue;
		}
		show[k] = m;
		mirrored[k] = true;
		fresh[k] = true;
		changed = true;
	}
	if (changed) {
		int r = commit_vm(d, vm, modeset, show, &cur);
		if (r < 0) {
			for (size_t k = 0; k < vm->alloc.n_planes; k++)
				if (fresh[k])
					kms_fb_remove(vm->lease_fd, show[k]);
			return r;
		}
		for (size_t k = 0; k < vm->alloc.n_planes; k++)
			if (vm->mirrored[k] && old_show[k] && old_show[k] != show[k])
				kms_fb_remove(vm->lease_fd, old_show[k]);
		for (size_t k = 0; k < vm->alloc.n_planes; k++)
			if (vm->sources[k])
				source_shown(vm->sources[k], src[k]);
	}
	for (size_t k = 0; k < vm->alloc.n_planes; k++) {
		if (vm->source_fb[k] && !src[k]) {
			bool kept = mirrored[k] && show[k];
			log_info("vm=%s connector=%s plane=%zu fb=%u on-vm-exit=%s action=source-gone",
				 vm->name, vm->conn_name, k, vm->source_fb[k], kept ? "keep" : "black");
			events_emit(d->events, DF_EVENT_SOURCE_GONE, vm->name, vm->cfg->monitor,
				    kept ? "the last frame stays" : "the plane is off");
		}
		vm->source_fb[k] = src[k];
		vm->source_serial[k] = serial[k];
	}
	memcpy(vm->mirrored, mirrored, sizeof(mirrored));
	return changed ? 1 : 0;
}

static int remap_if_changed(struct state *d, struct vm *vm, bool quiet)
{
	int r = map_planes(d, vm, false);
	if (r < 0)
		log_errno(r, "vm=%s connector=%s: mapping planes failed", vm->name, vm->conn_name);
	else if (r > 0 && !quiet)
		log_info("vm=%s connector=%s fb0=%u shown0=%u action=planes-mapped", vm->name,
			 vm->conn_name, vm->source_fb[0], vm->shown_fb[0]);
	return r < 0 ? r : 0;
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

static void grant(struct state *d, struct vm *vm, const struct config_monitor *mon,
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
	vm->error[0] = '\0';
	if (r == 0)
		r = map_planes(d, vm, true);
	if (r < 0) {
		reconcile_release(d, vm, "modeset failed");
		vm_fail(vm, VM_FAILED, "connector %s crtc %u mode %s: modeset refused: %s%s", conn->name,
			alloc.crtc_id, mode->info.name, strerror(-r),
			r == -ERANGE ? " (the plane cannot scale or place the framebuffer there: "
				       "try mode= matching the framebuffer size, or scaling=none)"
				     : "");
		return;
	}

	store_lease_fd(vm);

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

int reconcile_remap(struct state *d, struct vm *vm)
{
	if (!d->card || vm->state != VM_LEASED)
		return 0;
	return remap_if_changed(d, vm, true);
}

/* The new client's frame on plane 0, committed by the daemon as the top
 * lessor: it holds every object it leased out, and the kernel refuses a
 * second lease of them while the first exists. A modeset with the lease's
 * own mode, so a lessee that switched the CRTC off cannot make it fail;
 * with the mode unchanged it is no modeset at all. */
static int show_on_master(struct state *d, struct vm *vm, uint32_t fb)
{
	struct card *card = d->card;
	struct kms_commit *c = kms_commit_create(card->fd, card->props);
	if (!c)
		return -ENOMEM;
	kms_commit_modeset(c, vm->conn_id, vm->alloc.crtc_id, &vm->mode);
	int r = add_plane(card, vm, c, 0, fb);
	if (r == 0)
		r = kms_commit_apply(c, true);
	kms_commit_destroy(c);
	return r;
}

/* Revoked, or the grant after it failed: blank like any release, and let
 * the next pass grant again. */
static int takeover_failed(struct state *d, struct vm *vm, int r, const char *step)
{
	log_errno(r, "vm=%s connector=%s: take-lease: %s failed", vm->name, vm->conn_name, step);
	reconcile_release(d, vm, "take-lease failed");  /* the frame goes with it */
	state_schedule(d, STATE_REREAD_ALL);
	return r;
}

int reconcile_takeover(struct state *d, struct vm *vm, uint32_t fb, const char *detail)
{
	struct card *card = d->card;
	if (!card || vm->state != VM_LEASED)
		return -EAGAIN;
	int r = show_on_master(d, vm, fb);
	if (r < 0)
		return r;  /* a refused atomic commit changes nothing */
	uint32_t old = vm->lessee_id;
	log_info("vm=%s connector=%s crtc=%u plane=%u fb=%u lessee=%u action=takeover-frame-shown",
		 vm->name, vm->conn_name, vm->alloc.crtc_id, vm->alloc.planes[0], fb, old);
	events_emit(d->events, DF_EVENT_LEASE_TAKEOVER, vm->name, vm->cfg->monitor, detail);

	/* From here the frame is on screen: it is the vm's to remove. */
	if (vm->takeover_fb)
		drmModeRmFB(card->fd, vm->takeover_fb);
	vm->takeover_fb = fb;
	r = kms_lease_revoke(card->fd, old);
	if (r < 0) {
		/* The old lessee keeps its lease; its next flip replaces the frame. */
		log_errno(r, "vm=%s connector=%s: take-lease: revoking lessee %u failed", vm->name,
			  vm->conn_name, old);
		return r;
	}
	forget_lease_fd(vm);
	log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-revoked "
		 "reason=\"taken over\"",
		 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
		 vm->alloc.crtc_id, old);
	events_emit(d->events, DF_EVENT_LEASE_REVOKED, vm->name, vm->cfg->monitor,
		    "taken over by take-lease");
	close(vm->lease_fd);
	vm->lease_fd = -1;

	uint32_t objects[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(vm->conn_id, &vm->alloc, objects);
	uint32_t lessee = 0;
	int lfd = -1;
	r = kms_lease_create(card->fd, objects, n, &lessee, &lfd);
	if (r < 0)
		return takeover_failed(d, vm, r, "creating the new lease");
	vm->lessee_id = lessee;
	vm->lease_fd = lfd;
	r = kms_lease_prepare_lessee(lfd);
	if (r < 0)
		return takeover_failed(d, vm, r, "preparing the new lease");
	/* The hygiene of a grant, with the frame kept on plane 0: whatever the
	 * old lessee did after the frame went up is undone here. */
	uint32_t fbs[CONFIG_MAX_PLANES] = { fb };
	const struct source_cursor no_cursor = { 0 };
	r = commit_vm(d, vm, true, fbs, &no_cursor);
	/* The planes are the lessee's: nothing for map_planes to keep up. */
	memset(vm->shown_fb, 0, sizeof(vm->shown_fb));
	if (r < 0)
		return takeover_failed(d, vm, r, "resetting the CRTC for the new lease");
	store_lease_fd(vm);
	log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-granted "
		 "reason=\"taken over\"",
		 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
		 vm->alloc.crtc_id, lessee);
	events_emit(d->events, DF_EVENT_LEASE_GRANTED, vm->name, vm->cfg->monitor, vm->conn_name);
	return 0;
}

void reconcile_collect_takeover(struct state *d, struct vm *vm)
{
	if (!vm->takeover_fb || !d->card || vm->state != VM_LEASED)
		return;
	drmModePlane *p = drmModeGetPlane(d->card->fd, vm->alloc.planes[0]);
	bool shown = !p || p->fb_id == vm->takeover_fb;
	drmModeFreePlane(p);
	if (shown)
		return;
	drmModeRmFB(d->card->fd, vm->takeover_fb);
	log_info("vm=%s connector=%s fb=%u action=takeover-frame-dropped", vm->name, vm->conn_name,
		 vm->takeover_fb);
	vm->takeover_fb = 0;
}

static bool id_in(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
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

static int reconcile_pass(struct state *d);

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
		r = reconcile_pass(d);
		if (r < 0)
			return r;
		r = card_refresh_connectors(card, rest, n_rest);
	} else {
		r = reread == STATE_REREAD_ALL ? card_refresh(card) :
		    reread == STATE_REREAD_CONNECTORS ? card_refresh_connectors(card, NULL, 0) : 0;
	}
	if (r < 0)
		return log_errno(r, "%s: re-reading KMS resources failed", card->path);
	return reconcile_pass(d);
}

/* One pass over a snapshot already read: drop lost leases, release, grant. */
static int reconcile_pass(struct state *d)
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
		if (vm->state == VM_LEASED && !id_in(ids, n_ids, vm->lessee_id)) {
			log_warn("vm=%s connector=%s lessee=%u action=lease-lost", vm->name,
				 vm->conn_name, vm->lessee_id);
			release_fd(vm);
			drop_takeover_fb(card, vm);
			vm->state = VM_WAITING;
		}
	}
	free(ids);

	/* Release before granting so that freed CRTCs can move. */
	const struct kms_connector *want[CONFIG_MAX_VMS] = { 0 };
	for (size_t i = 0; i < d->n_vms && i < CONFIG_MAX_VMS; i++) {
		struct vm *vm = d->vms[i];
		const struct config_monitor *mon =
			vm->cfg->monitor ? config_monitor_by_name(d->config, vm->cfg->monitor) : NULL;
		const struct kms_connector *c = mon ? monitor_find_connector(card->snap, mon) : NULL;
		if (c && c->connection == KMS_CONNECTED)
			want[i] = c;
		if (vm->state == VM_LEASED && (!want[i] || want[i]->id != vm->conn_id))
			reconcile_release(d, vm, want[i] ? "monitor moved" : "monitor gone or unbound");
	}

	for (size_t i = 0; i < d->n_vms && i < CONFIG_MAX_VMS; i++) {
		struct vm *vm = d->vms[i];
		if (vm->state == VM_LEASED) {
			remap_if_changed(d, vm, false);
			reconcile_collect_takeover(d, vm);
			continue;
		}
		if (!vm->cfg->monitor) {
			vm->state = VM_UNBOUND;
			continue;
		}
		const struct config_monitor *mon = config_monitor_by_name(d->config, vm->cfg->monitor);
		if (!want[i]) {
			const struct kms_connector *c = mon ? monitor_find_connector(card->snap, mon) : NULL;
			vm_fail(vm, VM_WAITING, "monitor %s (%s) is not connected", vm->cfg->monitor,
				c ? c->name : "no matching connector");
			continue;
		}
		const struct vm *holder = NULL;
		for (size_t j = 0; j < d->n_vms; j++)
			if (d->vms[j]->state == VM_LEASED && d->vms[j]->conn_id == want[i]->id)
				holder = d->vms[j];
		if (holder) {
			vm_fail(vm, VM_WAITING, "monitor %s (%s) is shown by vm %s", vm->cfg->monitor,
				want[i]->name, holder->name);
			continue;
		}
		grant(d, vm, mon, want[i]);
	}
	return 0;
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
		vm->mirrored[k] = wants_mirror(vm, k) && vm->shown_fb[k];
		vm->source_fb[k] = 0;
		vm->source_serial[k] = 0;
	}
	vm->state = VM_LEASED;
	vm->error[0] = '\0';
	return true;
}

void reconcile_adopt(struct state *d, struct service_fds *stored)
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

void reconcile_handover(struct state *d)
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

void reconcile_restore(struct state *d)
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
		r = map_planes(d, vm, true);
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
