/* SPDX-License-Identifier: MIT */
/* The client source (dma-bufs a VMM sends: scanout-dmabuf, update-dmabuf)
 * and take-lease, where a second client of a vm takes its lease over. */
#include <drm_fourcc.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/control/auth.h"
#include "daemon/control/call.h"
#include "daemon/control/handlers.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/session/card.h"
#include "daemon/state/bindings.h"
#include "daemon/state/events.h"
#include "daemon/state/monitor.h"
#include "daemon/state/takeover.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "daemon/source/client.h"
#include "daemon/source/source.h"
#include "kms/dmabuf.h"

/* The vm and the plane of a client-fed request, checked: the caller may
 * drive the vm, and that plane's source is `client`. */
static int client_plane(struct control_call *call, const char *method, struct vm **vm_out,
			struct source **src_out, uint32_t *buffer)
{
	char err[256];
	const char *name = NULL;
	uint32_t plane = 0;
	if (df_param_string(call->params, "vm", true, &name, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "plane", true, 0, CONFIG_MAX_PLANES - 1, &plane, err,
			  sizeof(err)) < 0 ||
	    df_param_uint(call->params, "buffer", true, 1, UINT32_MAX, buffer, err, sizeof(err)) < 0)
		return call_bad_param(call, method, err);
	struct vm *vm = state_vm(call->st, name, NULL);
	if (!vm)
		return call_no_such_vm(call, name);
	char act[128];
	snprintf(act, sizeof(act), "feed vm %s's planes", vm->name);
	int r = call_owner_or_admin(call, vm, act);
	if (r < 0)
		return r;
	struct source *src = plane < vm->cfg->planes ? vm->sources[plane] : NULL;
	if (!src || strcmp(source_kind_name(src), "client") != 0)
		return call_fail(call, -EINVAL, "vm %s plane %u takes no frames from a client (its source "
					   "is %s); map it with `vgpu-assign map %s %u client`",
				 vm->name, plane, src ? source_spec(src) : "none", vm->name, plane);
	*vm_out = vm;
	*src_out = src;
	return 0;
}

/* Commits what the vm's client source shows now (the source removes what
 * an import replaced once the commit is shown); an error is the vm's until
 * a frame works. */
static int client_commit(struct control_call *call, struct vm *vm, int r,
			 const char *what, uint32_t buffer)
{
	if (r == 0)
		r = reconcile_remap(call->st, vm);
	if (r < 0) {
		call_fail(call, r, "vm %s: %s buffer %u failed: %s", vm->name, what, buffer, strerror(-r));
		char msg[sizeof(vm->error)];
		snprintf(msg, sizeof(msg), "client frame: %.200s", call->message);
		vm_set_error(vm, VM_ERROR_CLIENT, msg);
		events_emit(call->st->events, DF_EVENT_ERROR, vm->name, vm->cfg->monitor,
			    call->message);
		return r;
	}
	vm_clear_error_from(vm, VM_ERROR_CLIENT);
	return 0;
}

/* The dma-buf fields scanout-dmabuf and take-lease share. */
static int dmabuf_params(struct control_call *call, const char *method,
			 const char *const *known, struct kms_dmabuf *b)
{
	char err[256];
	*b = (struct kms_dmabuf){ .modifier = DRM_FORMAT_MOD_INVALID };
	const char *mod = NULL;
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "width", true, 1, 16384, &b->width, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "height", true, 1, 16384, &b->height, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "format", true, 1, UINT32_MAX, &b->format, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "stride", true, 1, UINT32_MAX, &b->stride, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "offset", false, 0, UINT32_MAX, &b->offset, err, sizeof(err)) == -EINVAL ||
	    df_param_string(call->params, "modifier", false, &mod, err, sizeof(err)) == -EINVAL)
		return call_bad_param(call, method, err);
	if (mod) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(mod, &end, 0);
		if (errno || end == mod || *end || mod[0] == '-')
			return call_bad_param(call, method,
					      "\"modifier\" must be a string holding a 64-bit DRM "
					      "format modifier, e.g. \"0x0\" for linear");
		b->modifier = v;
	}
	return 0;
}

int method_scanout_dmabuf(struct control_call *call)
{
	static const char *const known[] = { "vm", "plane", "buffer", "width", "height", "format",
					     "modifier", "stride", "offset", NULL };
	struct kms_dmabuf b;
	if (dmabuf_params(call, "scanout-dmabuf", known, &b) < 0)
		return -EINVAL;
	struct vm *vm = NULL;
	struct source *src = NULL;
	uint32_t buffer = 0;
	int r = client_plane(call, "scanout-dmabuf", &vm, &src, &buffer);
	if (r < 0)
		return r;
	if (call->fd_in < 0)
		return call_fail(call, -EBADF, "scanout-dmabuf: send the dma-buf fd with the request "
					  "(SCM_RIGHTS)");
	if (!call->st->card)
		return call_fail(call, -ENODEV, "vm %s: there is no card now to import the dma-buf on",
				 vm->name);
	uint32_t fb = 0;
	r = source_client_import(src, call->conn, call->st->card->fd, buffer, &b, call->fd_in, &fb);
	if (r == -EBUSY)
		return call_fail(call, r, "vm %s: another connection feeds this plane; it must close first",
				 vm->name);
	r = client_commit(call, vm, r, "importing", buffer);
	if (r < 0)
		return r;
	log_info("vm=%s buffer=%u fb=%u size=%ux%u format=0x%08x action=dmabuf-imported", vm->name,
		 buffer, fb, b.width, b.height, b.format);
	call->result = json_object_new_object();
	json_object_object_add(call->result, "fb", json_object_new_int64(fb));
	json_object_object_add(call->result, "shown", json_object_new_boolean(vm->state == VM_LEASED));
	json_object_object_add(call->result, "buffers",
			       json_object_new_int((int)source_client_n_buffers(src)));
	return 0;
}

int method_update_dmabuf(struct control_call *call)
{
	static const char *const known[] = { "vm", "plane", "buffer", NULL };
	char err[256];
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return call_bad_param(call, "update-dmabuf", err);
	struct vm *vm = NULL;
	struct source *src = NULL;
	uint32_t buffer = 0, fb = 0;
	int r = client_plane(call, "update-dmabuf", &vm, &src, &buffer);
	if (r < 0)
		return r;
	r = source_client_show(src, call->conn, buffer, &fb);
	if (r == -EBUSY)
		return call_fail(call, r, "vm %s: another connection feeds this plane", vm->name);
	if (r == -ENOENT)
		return call_fail(call, r, "vm %s: buffer %u was never imported (or was evicted: at most %d "
				     "are kept); send it with scanout-dmabuf",
				 vm->name, buffer, SOURCE_CLIENT_MAX_BUFFERS);
	r = client_commit(call, vm, r, "showing", buffer);
	if (r < 0)
		return r;
	call->result = json_object_new_object();
	json_object_object_add(call->result, "fb", json_object_new_int64(fb));
	json_object_object_add(call->result, "shown", json_object_new_boolean(vm->state == VM_LEASED));
	return 0;
}

int method_take_lease(struct control_call *call)
{
	struct state *d = call->st;
	static const char *const known[] = { "vm", "width", "height", "format", "modifier",
					     "stride", "offset", NULL };
	struct kms_dmabuf b;
	if (dmabuf_params(call, "take-lease", known, &b) < 0)
		return -EINVAL;
	struct vm *vm = NULL;
	int r = call_lease_vm(call, "take-lease", "take over", &vm);
	if (r < 0)
		return r;
	if (call->fd_in < 0)
		return call_fail(call, -EBADF, "take-lease: send your first frame's dma-buf fd with the "
					  "request (SCM_RIGHTS)");
	if (vm->state != VM_LEASED || vm->lease_fd < 0 || !d->card)
		return call_fail(call, -EAGAIN, "vm %s has no lease now to take over (state %s); "
					   "get-lease once it is granted (`vgpu-assign watch`)",
				 vm->name, vm_state_name(vm->state));
	/* The daemon draws planes that have sources: a frame from a taker
	 * would be overwritten by the next source change. */
	for (unsigned k = 0; k < vm->cfg->planes && k < CONFIG_MAX_PLANES; k++)
		if (vm->sources[k])
			return call_fail(call, -EINVAL, "vm %s plane %u is drawn by the daemon from source "
						   "%s, so its lease cannot be taken over; take-lease "
						   "is for a vm bound without sources",
					 vm->name, k, source_spec(vm->sources[k]));
	uint32_t fb = 0;
	r = kms_dmabuf_import(d->card->fd, call->fd_in, &b, &fb);
	if (r < 0)
		return call_fail(call, r, "vm %s: take-lease: importing the %ux%u frame failed: %s; the "
				     "lease stays with its holder",
				 vm->name, b.width, b.height, strerror(-r));
	char detail[256], old[96] = "";
	if (vm->has_holder)
		snprintf(old, sizeof(old), " (last sent to pid %d uid %u)", vm->holder_pid,
			 vm->holder_uid);
	uint32_t old_lessee = vm->lessee_id;
	snprintf(detail, sizeof(detail), "pid %d uid %u takes over lessee %u%s: its first frame "
					 "(fb %u) is on screen, lessee %u is revoked next",
		 (int)call->peer->pid, (unsigned)call->peer->uid, old_lessee, old, fb, old_lessee);
	r = takeover_start(d, vm, fb, detail);
	if (r < 0 && vm->takeover_fb != fb && vm->state == VM_LEASED) {
		/* Refused before it was shown: nothing changed. */
		drmModeRmFB(d->card->fd, fb);
		return call_fail(call, r, "vm %s: take-lease: the kernel refused the frame on plane %u: "
				     "%s%s; the lease stays with its holder",
				 vm->name, vm->alloc.planes[0], strerror(-r),
				 r == -ERANGE ? " (the plane cannot scale or place a frame of this "
					   "size: send one of the mode's size)"
					 : "");
	}
	if (r < 0)
		return call_fail(call, r, "vm %s: take-lease: the frame was shown but the lease could not "
				     "be handed over: %s; %s",
				 vm->name, strerror(-r),
				 vm->state == VM_LEASED ? "the old holder keeps it"
						   : "the vm is granted again (`vgpu-assign watch`)");
	log_info("vm=%s lessee=%u old-lessee=%u fb=%u action=lease-taken-over pid=%d uid=%u",
		 vm->name, vm->lessee_id, old_lessee, fb, (int)call->peer->pid,
		 (unsigned)call->peer->uid);
	call_note_holder(vm, call->peer);
	call->result = json_lease(vm);
	json_object_object_add(call->result, "fb", json_object_new_int64(fb));
	json_object_object_add(call->result, "revoked", json_object_new_int64(old_lessee));
	call->fd = vm->lease_fd;
	return 0;
}
