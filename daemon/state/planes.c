/* SPDX-License-Identifier: MIT */
/*
 * A leased vm's planes: its sources' frames (or mirrors of them) and the
 * cursor, committed through the lessee's fd, on grant with the modeset and
 * afterwards whenever a source shows something else.
 */
#include "daemon/state/planes.h"

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
#include "kms/commit.h"
#include "kms/framebuffer.h"
#include "kms/scale.h"

/* A source's news changes no KMS object: the pass needs no card re-read
 * (that was most of a flip's cost on gvt-sysfs and vfio (a)), and looks
 * at this vm only. */
static void on_source_changed(void *data)
{
	struct vm *vm = data;
	state_schedule_vm(vm->st, vm);
}

bool planes_unsignalled(const struct vm *vm)
{
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		if (vm->sources[k] && !source_signals(vm->sources[k]))
			return true;
	return false;
}

/* A source that cannot be read is the vm's error (vgpu-assign vms, an
 * error event), said once per change; it goes when the source works. */
static void note_source_error(struct state *d, struct vm *vm, size_t k, int r)
{
	char msg[sizeof(vm->error)];
	snprintf(msg, sizeof(msg), "plane source %zu '%.150s': %s; %s", k,
		 source_spec(vm->sources[k]), strerror(-r),
		 vm->mirrored[k] && vm->shown_fb[k] ? "the last frame stays" : "the plane is off");
	if (!vm_set_error(vm, VM_ERROR_SOURCE, msg))
		return;
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
	vm->st = d;
	for (size_t k = 0; k < vm->alloc.n_planes; k++) {
		fbs[k] = 0;
		if (!vm->sources[k])
			continue;
		source_watch(vm->sources[k], d->loop, on_source_changed, vm);
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
	if (!failed)
		vm_clear_error_from(vm, VM_ERROR_SOURCE);
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
int planes_add(struct card *card, struct vm *vm, struct kms_commit *c, size_t k, uint32_t fb)
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
int planes_commit(struct state *d, struct vm *vm, bool modeset, const uint32_t *fbs,
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
		r = planes_add(card, vm, c, k, fbs[k]);
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
bool planes_wants_mirror(const struct vm *vm, size_t k)
{
	return vm->cfg->on_vm_exit == CONFIG_ON_VM_EXIT_KEEP && vm->sources[k] &&
	       source_mirror_on_keep(vm->sources[k]);
}

/* Reads the sources and commits what changed; everything with modeset.
 * A mirror is replaced in the same commit that shows its successor and
 * removed after it, so the plane is never without a frame. Returns 1 when
 * it committed, 0 when nothing changed, or a negative errno. */
int planes_map(struct state *d, struct vm *vm, bool modeset)
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
		if (!planes_wants_mirror(vm, k)) {
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
		int r = planes_commit(d, vm, modeset, show, &cur);
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

int planes_remap_if_changed(struct state *d, struct vm *vm, bool quiet)
{
	int r = planes_map(d, vm, false);
	if (r < 0)
		log_errno(r, "vm=%s connector=%s: mapping planes failed", vm->name, vm->conn_name);
	else if (r > 0 && !quiet)
		log_info("vm=%s connector=%s fb0=%u shown0=%u action=planes-mapped", vm->name,
			 vm->conn_name, vm->source_fb[0], vm->shown_fb[0]);
	return r < 0 ? r : 0;
}
