/* SPDX-License-Identifier: MIT */
/* take-lease (docs/protocol.md): a second client of a vm takes its lease
 * over, with the new client's first frame shown throughout. */
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
#include "daemon/state/lease.h"
#include "daemon/state/planes.h"
#include "kms/commit.h"
#include "kms/lease.h"

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
	int r = planes_add(card, vm, c, 0, fb);
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
	lease_release(d, vm, "take-lease failed");  /* the frame goes with it */
	state_schedule(d, STATE_REREAD_ALL);
	return r;
}

int takeover_start(struct state *d, struct vm *vm, uint32_t fb, const char *detail)
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
	lease_forget_fd(vm);
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
	r = planes_commit(d, vm, true, fbs, &no_cursor);
	/* The planes are the lessee's: nothing for map_planes to keep up. */
	memset(vm->shown_fb, 0, sizeof(vm->shown_fb));
	if (r < 0)
		return takeover_failed(d, vm, r, "resetting the CRTC for the new lease");
	lease_store_fd(vm);
	log_info("vm=%s monitor=%s connector=%s crtc=%u lessee=%u action=lease-granted "
		 "reason=\"taken over\"",
		 vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm->conn_name,
		 vm->alloc.crtc_id, lessee);
	events_emit(d->events, DF_EVENT_LEASE_GRANTED, vm->name, vm->cfg->monitor, vm->conn_name);
	return 0;
}

void takeover_collect(struct state *d, struct vm *vm)
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
