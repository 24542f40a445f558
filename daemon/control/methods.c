/* SPDX-License-Identifier: MIT */
/*
 * What each control method does. Reads come from the daemon's state as it
 * is; changes (bind, unbind, map-plane) become runtime bindings, are
 * applied to the VM's desired state, and leave the rest to reconcile, the
 * same path as a config change. Every refusal names the object and says
 * what to do.
 */
#include "daemon/control/methods.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xf86drmMode.h>

#include "config/config.h"
#include "daemon/session/card.h"
#include "daemon/control/auth.h"
#include "daemon/state/bindings.h"
#include "daemon/state/events.h"
#include "daemon/input/input.h"
#include "daemon/log.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/state.h"
#include "daemon/source/client.h"
#include "daemon/source/source.h"
#include "daemon/state/vm.h"
#include "kms/dmabuf.h"

#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))

static int fail(struct control_call *call, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);

static int fail(struct control_call *call, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(call->message, sizeof(call->message), fmt, ap);
	va_end(ap);
	return code;
}

/* A params problem found by the df_param_* helpers (message in err). */
static int bad_param(struct control_call *call, const char *method, const char *err)
{
	return fail(call, -EINVAL, "%s: %s; see `vgpu-assign --help`", method, err);
}

static int need_admin(struct control_call *call, const char *what)
{
	if (call->peer->admin)
		return 0;
	if (call->group)
		return fail(call, -EPERM, "%s needs an administrator: root or a member of group "
					  "%s (this is uid %u)",
			    what, call->group, (unsigned)call->peer->uid);
	return fail(call, -EPERM, "%s needs root (this is uid %u; [daemon] socket-group= "
				  "names a group of administrators)",
		    what, (unsigned)call->peer->uid);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static int no_such_vm(struct control_call *call, const char *name)
{
	return fail(call, -ENOENT, "there is no vm named '%s'; `vgpu-assign vms` lists them, "
				   "and the layout defines them as [vm.NAME]",
		    name);
}

static bool edid_matches(const struct config_edid_match *m, const struct kms_connector *c)
{
	return c->has_edid && strcmp(m->vendor, c->edid.vendor) == 0 &&
	       m->product == c->edid.product && (!m->has_serial || m->serial == c->edid.serial);
}

static bool monitor_matches(const struct config_monitor *m, const struct kms_connector *c)
{
	if (m->connector && strcmp(m->connector, c->name) != 0)
		return false;
	if (m->edid.set && !edid_matches(&m->edid, c))
		return false;
	return m->connector || m->edid.set;
}

/* The layout's name for connector c, if it has one. */
static const char *monitor_name_of(const struct config *cfg, const struct kms_connector *c)
{
	for (size_t i = 0; i < cfg->n_monitors; i++)
		if (monitor_matches(&cfg->monitors[i], c))
			return cfg->monitors[i].name;
	return NULL;
}

static struct json_object *mode_json(const drmModeModeInfo *m, bool preferred)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "width", json_object_new_int(m->hdisplay));
	json_object_object_add(o, "height", json_object_new_int(m->vdisplay));
	json_object_object_add(o, "refresh", json_object_new_int((int)m->vrefresh));
	json_object_object_add(o, "preferred", json_object_new_boolean(preferred));
	return o;
}

static struct json_object *ids_json(const uint32_t *ids, size_t n)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(ids[i]));
	return a;
}

/* ---- read-only methods ---- */

static int m_hello(struct control_call *call)
{
	char err[256];
	uint32_t version = DF_PROTOCOL_VERSION;
	const char *client = NULL;
	static const char *const known[] = { "version", "client", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "version", false, 1, 1000, &version, err, sizeof(err)) ==
		    -EINVAL ||
	    df_param_string(call->params, "client", false, &client, err, sizeof(err)) == -EINVAL)
		return bad_param(call, "hello", err);
	if (version != DF_PROTOCOL_VERSION)
		return fail(call, -EPROTONOSUPPORT,
			    "this directflipd speaks protocol version %d, the client version %u: "
			    "use a vgpu-assign or client library from the same release",
			    DF_PROTOCOL_VERSION, version);
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "version", json_object_new_int(DF_PROTOCOL_VERSION));
	json_object_object_add(r, "server", json_object_new_string("directflipd " DIRECTFLIP_VERSION));
	struct json_object *methods = json_object_new_array();
	for (int i = 0; i < DF_METHOD_COUNT; i++)
		if (!call->scope || i == DF_METHOD_HELLO || i == DF_METHOD_GET_LEASE ||
		    i == DF_METHOD_TAKE_LEASE || i == DF_METHOD_SUBSCRIBE)
			json_object_array_add(methods,
					      json_object_new_string(df_method_name((enum df_method)i)));
	json_object_object_add(r, "methods", methods);
	if (call->scope)
		json_object_object_add(r, "vm", json_object_new_string(call->scope));
	struct json_object *events = json_object_new_array();
	for (int i = 0; i < DF_EVENT_COUNT; i++)
		json_object_array_add(events, json_object_new_string(df_event_name((enum df_event)i)));
	json_object_object_add(r, "events", events);
	json_object_object_add(r, "uid", json_object_new_int64(call->peer->uid));
	json_object_object_add(r, "admin", json_object_new_boolean(call->peer->admin));
	struct json_object *lim = json_object_new_object();
	json_object_object_add(lim, "clients", json_object_new_int(DF_MAX_CLIENTS));
	json_object_object_add(lim, "packet", json_object_new_int(DF_MAX_PACKET));
	json_object_object_add(lim, "outstanding", json_object_new_int(DF_MAX_OUTSTANDING));
	json_object_object_add(lim, "fds", json_object_new_int(DF_MAX_FDS));
	json_object_object_add(r, "limits", lim);
	call->result = r;
	return 0;
}

static int m_status(struct control_call *call)
{
	struct state *d = call->st;
	size_t leased = 0;
	for (size_t i = 0; i < d->n_vms; i++)
		leased += d->vms[i]->state == VM_LEASED;
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "server", json_object_new_string("directflipd " DIRECTFLIP_VERSION));
	json_object_object_add(r, "protocol", json_object_new_int(DF_PROTOCOL_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "card", str_or_null(d->card ? d->card->path : NULL));
	json_object_object_add(r, "config", str_or_null(d->config_path));
	json_object_object_add(r, "dropin_dir", str_or_null(d->dropin_dir));
	json_object_object_add(r, "socket", str_or_null(d->socket_path));
	json_object_object_add(r, "state_file",
			       str_or_null(d->bindings ? control_bindings_path(d->bindings) : NULL));
	json_object_object_add(r, "vms", json_object_new_int64((int64_t)d->n_vms));
	json_object_object_add(r, "leased", json_object_new_int64((int64_t)leased));
	json_object_object_add(r, "runtime_bindings",
			       json_object_new_int64(d->bindings ? (int64_t)control_bindings_count(d->bindings) : 0));
	json_object_object_add(r, "clients", json_object_new_int64((int64_t)call->n_clients));
	struct json_object *focus = json_object_new_object();
	for (size_t i = 0; i < input_seat_count(d->input); i++)
		json_object_object_add(focus, input_seat_name(d->input, i),
				       str_or_null(input_seat_focus(d->input, i)));
	json_object_object_add(r, "focus", focus);
	call->result = r;
	return 0;
}

static int m_list_monitors(struct control_call *call)
{
	struct state *d = call->st;
	struct json_object *list = json_object_new_array();
	const struct kms_snapshot *snap = d->card ? d->card->snap : NULL;
	for (size_t i = 0; snap && i < snap->n_connectors; i++) {
		const struct kms_connector *c = &snap->connectors[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "connector", json_object_new_string(c->name));
		json_object_object_add(o, "id", json_object_new_int64(c->id));
		json_object_object_add(o, "status", json_object_new_string(kms_connection_name(c->connection)));
		json_object_object_add(o, "monitor", str_or_null(monitor_name_of(d->config, c)));
		struct json_object *edid = NULL;
		if (c->has_edid) {
			edid = json_object_new_object();
			json_object_object_add(edid, "vendor", json_object_new_string(c->edid.vendor));
			json_object_object_add(edid, "product", json_object_new_int(c->edid.product));
			json_object_object_add(edid, "serial", json_object_new_int64(c->edid.serial));
			json_object_object_add(edid, "name", json_object_new_string(c->edid.name));
		}
		json_object_object_add(o, "edid", edid);
		json_object_object_add(o, "mm_width", json_object_new_int64(c->mm_width));
		json_object_object_add(o, "mm_height", json_object_new_int64(c->mm_height));
		struct json_object *modes = json_object_new_array();
		for (size_t k = 0; k < c->n_modes; k++)
			json_object_array_add(modes, mode_json(&c->modes[k].info, c->modes[k].preferred));
		json_object_object_add(o, "modes", modes);
		const char *shown_by = NULL;
		for (size_t v = 0; v < d->n_vms; v++)
			if (d->vms[v]->state == VM_LEASED && d->vms[v]->conn_id == c->id)
				shown_by = d->vms[v]->name;
		json_object_object_add(o, "vm", str_or_null(shown_by));
		json_object_array_add(list, o);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "card", str_or_null(d->card ? d->card->path : NULL));
	json_object_object_add(r, "monitors", list);
	call->result = r;
	return 0;
}

static struct json_object *lease_json(const struct vm *vm)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "vm", json_object_new_string(vm->name));
	json_object_object_add(o, "monitor", str_or_null(vm->cfg->monitor));
	json_object_object_add(o, "connector", json_object_new_string(vm->conn_name));
	json_object_object_add(o, "crtc", json_object_new_int64(vm->alloc.crtc_id));
	json_object_object_add(o, "planes", ids_json(vm->alloc.planes, vm->alloc.n_planes));
	json_object_object_add(o, "cursor", json_object_new_int64(vm->alloc.cursor_plane_id));
	json_object_object_add(o, "lessee", json_object_new_int64(vm->lessee_id));
	json_object_object_add(o, "mode", mode_json(&vm->mode, false));
	/* A lessee that draws the VM's planes itself (directflip-qemu) places
	 * its frames the way the layout says. */
	json_object_object_add(o, "scaling",
			       json_object_new_string(config_scaling_name(vm->cfg->scaling)));
	json_object_object_add(o, "on_vm_exit",
			       json_object_new_string(vm->cfg->on_vm_exit == CONFIG_ON_VM_EXIT_BLACK
							      ? "black" : "keep"));
	return o;
}

/* The VM's virtual input devices: stable links and the nodes behind them. */
static struct json_object *input_json(struct state *d, const char *vm)
{
	const char *seat = NULL;
	bool focused = false;
	const struct uinput_vm *u = input_vm_devices(d->input, vm, &seat, &focused);
	if (!u)
		return NULL;
	static const char *const kinds[UINPUT_KINDS] = { "keyboard", "pointer", "tablet" };
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "seat", json_object_new_string(seat));
	json_object_object_add(o, "focused", json_object_new_boolean(focused));
	for (int k = 0; k < UINPUT_KINDS; k++) {
		struct json_object *dev = json_object_new_object();
		json_object_object_add(dev, "link", json_object_new_string(uinput_vm_link(u, (enum uinput_kind)k)));
		json_object_object_add(dev, "device", json_object_new_string(uinput_vm_devnode(u, (enum uinput_kind)k)));
		json_object_object_add(o, kinds[k], dev);
	}
	return o;
}

static int m_list_vms(struct control_call *call)
{
	struct state *d = call->st;
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < d->n_vms; i++) {
		const struct vm *vm = d->vms[i];
		const struct config_vm *cv = vm->cfg;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(vm->name));
		json_object_object_add(o, "state", json_object_new_string(vm_state_name(vm->state)));
		json_object_object_add(o, "monitor", str_or_null(cv->monitor));
		json_object_object_add(o, "planes", json_object_new_int((int)cv->planes));
		char mode[48] = "";
		if (cv->mode.set)
			snprintf(mode, sizeof(mode), "%ux%u@%u", cv->mode.width, cv->mode.height,
				 cv->mode.refresh);
		json_object_object_add(o, "mode", str_or_null(cv->mode.set ? mode : NULL));
		json_object_object_add(o, "scaling", json_object_new_string(config_scaling_name(cv->scaling)));
		struct json_object *src = json_object_new_array();
		for (unsigned k = 0; k < cv->planes && k < CONFIG_MAX_PLANES; k++)
			json_object_array_add(src, str_or_null(cv->sources[k]));
		json_object_object_add(o, "sources", src);
		json_object_object_add(o, "owner", str_or_null(cv->has_owner ? cv->owner : NULL));
		json_object_object_add(o, "owner_uid",
				       cv->has_owner ? json_object_new_int64(cv->owner_uid) : NULL);
		json_object_object_add(o, "runtime",
				       json_object_new_boolean(d->bindings &&
							       control_bindings_find(d->bindings, vm->name)));
		json_object_object_add(o, "error", str_or_null(vm->error[0] ? vm->error : NULL));
		json_object_object_add(o, "lease", vm->state == VM_LEASED ? lease_json(vm) : NULL);
		json_object_object_add(o, "input", input_json(d, vm->name));
		json_object_array_add(list, o);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "vms", list);
	call->result = r;
	return 0;
}

static int m_list_leases(struct control_call *call)
{
	struct state *d = call->st;
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < d->n_vms; i++)
		if (d->vms[i]->state == VM_LEASED)
			json_object_array_add(list, lease_json(d->vms[i]));
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "leases", list);
	call->result = r;
	return 0;
}

static int m_subscribe(struct control_call *call)
{
	char err[256];
	static const char *const known[] = { "events", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return bad_param(call, "subscribe", err);
	struct json_object *want = NULL;
	json_object_object_get_ex(call->params, "events", &want);
	uint32_t mask = 0;
	if (!want || json_object_is_type(want, json_type_null)) {
		mask = (1u << DF_EVENT_COUNT) - 1;
	} else if (!json_object_is_type(want, json_type_array)) {
		return fail(call, -EINVAL, "subscribe: \"events\" must be an array of event names");
	} else {
		for (size_t i = 0; i < json_object_array_length(want); i++) {
			struct json_object *e = json_object_array_get_idx(want, i);
			enum df_event ev;
			if (!json_object_is_type(e, json_type_string) ||
			    df_event_lookup(json_object_get_string(e), &ev) < 0) {
				/* From the table, so that it cannot fall behind. */
				char names[512] = "";
				size_t len = 0;
				for (int k = 0; k < DF_EVENT_COUNT && len < sizeof(names); k++)
					len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
								k ? ", " : "",
								df_event_name((enum df_event)k));
				return fail(call, -EINVAL, "subscribe: unknown event %.64s; events are %s",
					    json_object_to_json_string(e), names);
			}
			mask |= 1u << ev;
		}
	}
	struct json_object *names = json_object_new_array();
	for (int i = 0; i < DF_EVENT_COUNT; i++)
		if (mask & (1u << i))
			json_object_array_add(names, json_object_new_string(df_event_name((enum df_event)i)));
	call->result = json_object_new_object();
	json_object_object_add(call->result, "events", names);
	call->subscribe = true;
	call->events = mask;
	return 0;
}

/* The vm's owner= or an administrator; act says what, e.g. "take vm1's lease". */
static int owner_or_admin(struct control_call *call, const struct vm *vm, const char *act)
{
	const struct config_vm *cv = vm->cfg;
	bool owner = cv->has_owner && cv->owner_uid == call->peer->uid;
	if (owner || call->peer->admin)
		return 0;
	char admins[96];
	snprintf(admins, sizeof(admins), "root%s%s", call->group ? " or group " : "",
		 call->group ? call->group : "");
	if (cv->has_owner)
		return fail(call, -EPERM,
			    "uid %u may not %s: it belongs to owner %s (uid %u); run as that user "
			    "or as an administrator (%s)",
			    (unsigned)call->peer->uid, act, cv->owner, (unsigned)cv->owner_uid, admins);
	return fail(call, -EPERM,
		    "uid %u may not %s: the vm has no owner= in the layout, so only "
		    "administrators (%s) may",
		    (unsigned)call->peer->uid, act, admins);
}

/* Who was last sent vm's lease fd, for the lease-takeover event. */
static void note_holder(struct vm *vm, const struct control_peer *peer)
{
	vm->has_holder = true;
	vm->holder_pid = (int)peer->pid;
	vm->holder_uid = (unsigned)peer->uid;
}

/* The vm a lease request names (implied on a VM's socket, where no other
 * may be named), once the caller is its owner or an admin. */
static int lease_vm(struct control_call *call, const char *method, const char *action,
		    struct vm **out)
{
	char err[256];
	const char *name = NULL;
	if (df_param_string(call->params, "vm", !call->scope, &name, err, sizeof(err)) == -EINVAL)
		return bad_param(call, method, err);
	if (!name)
		name = call->scope;
	if (call->scope && strcmp(name, call->scope) != 0)
		return fail(call, -EACCES, "%s: this is vm %s's socket; it serves no other "
					   "vm's lease (asked for '%.64s')",
			    method, call->scope, name);
	struct vm *vm = state_vm(call->st, name, NULL);
	if (!vm)
		return no_such_vm(call, name);
	char act[128];
	snprintf(act, sizeof(act), "%s vm %s's lease", action, vm->name);
	int r = owner_or_admin(call, vm, act);
	if (r < 0)
		return r;
	*out = vm;
	return 0;
}

static int m_get_lease(struct control_call *call)
{
	char err[256];
	static const char *const known[] = { "vm", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return bad_param(call, "get-lease", err);
	struct vm *vm = NULL;
	int r = lease_vm(call, "get-lease", "take", &vm);
	if (r < 0)
		return r;
	if (vm->state != VM_LEASED || vm->lease_fd < 0)
		return fail(call, -EAGAIN, "vm %s has no lease now (state %s%s%s); `vgpu-assign "
					   "watch` shows when it is granted",
			    vm->name, vm_state_name(vm->state), vm->error[0] ? ": " : "",
			    vm->error);
	call->result = lease_json(vm);
	call->fd = vm->lease_fd;
	note_holder(vm, call->peer);
	log_info("vm=%s lessee=%u action=lease-fd-sent pid=%d uid=%u", vm->name, vm->lessee_id,
		 (int)call->peer->pid, (unsigned)call->peer->uid);
	return 0;
}

static int m_reload(struct control_call *call)
{
	int r = need_admin(call, "reload");
	if (r < 0)
		return r;
	static const char *const known[] = { NULL };
	char err[256];
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return bad_param(call, "reload", err);
	r = state_reload(call->st);
	if (r < 0)
		return fail(call, r, "the layout %s was not reloaded: %s; the running layout is "
				     "kept (the daemon log and `directflipd --check-config` show "
				     "every problem)",
			    call->st->config_path,
			    r == -EINVAL ? "it has errors" : strerror(-r));
	call->result = json_object_new_object();
	json_object_object_add(call->result, "vms", json_object_new_int64((int64_t)call->st->n_vms));
	return 0;
}

/* ---- changes ---- */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool changes(const struct control_binding *bd, const struct config_vm *cv)
{
	if (bd->has_monitor && !str_eq(bd->monitor, cv->monitor))
		return true;
	if (bd->has_planes && bd->planes != cv->planes)
		return true;
	if (bd->has_scaling && bd->scaling != cv->scaling)
		return true;
	if (bd->has_mode && (bd->mode.set != cv->mode.set ||
			     (bd->mode.set && (bd->mode.width != cv->mode.width ||
					       bd->mode.height != cv->mode.height ||
					       bd->mode.refresh != cv->mode.refresh))))
		return true;
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		if (bd->sources[k] && !str_eq(bd->sources[k], cv->sources[k]))
			return true;
	return false;
}

static struct config_vm *config_vm_of(struct state *d, const char *name)
{
	for (size_t i = 0; i < d->config->n_vms; i++)
		if (strcmp(d->config->vms[i].name, name) == 0)
			return &d->config->vms[i];
	return NULL;
}

/* Makes bd the vm's desired state now: release what it holds, rebuild the
 * vm from the changed config entry, and let reconcile grant anew. */
static int rebind(struct control_call *call, size_t index, const struct control_binding *bd)
{
	struct state *d = call->st;
	struct vm *old = d->vms[index];
	struct config_vm *cv = config_vm_of(d, old->name);
	if (!cv)
		return fail(call, -ENOENT, "vm %s is not in the running layout", old->name);
	if (!changes(bd, cv))
		return 0;
	if (old->state == VM_LEASED && d->card)
		reconcile_release(d, old, "binding changed by vgpu-assign");
	int r = control_binding_apply(bd, d->config, cv);
	if (r < 0) {
		state_schedule(d, STATE_REREAD_ALL);
		return fail(call, r, "vm %s: %s", old->name,
			    r == -E2BIG ? "too many monitors in the layout" : strerror(-r));
	}
	struct vm *fresh = vm_create(cv);
	if (fresh) {
		vm_destroy(old);
		d->vms[index] = fresh;
		if (fresh->error[0])
			log_error("vm=%s: %s", fresh->name, fresh->error);
	}
	state_schedule(d, STATE_REREAD_ALL);
	return 0;
}

/* A monitor argument: a [monitor.NAME] of the layout, or a connector name
 * (then the layout's name for that connector when it has one). */
static int resolve_monitor(struct control_call *call, const char *arg, const char **out)
{
	struct state *d = call->st;
	if (config_monitor_by_name(d->config, arg)) {
		*out = arg;
		return 0;
	}
	const struct kms_connector *c =
		d->card ? kms_snapshot_connector_by_name(d->card->snap, arg) : NULL;
	if (!c)
		return fail(call, -ENODEV, "there is no monitor or connector named '%s'; "
					   "`vgpu-assign monitors` lists them",
			    arg);
	const char *name = monitor_name_of(d->config, c);
	*out = name ? name : c->name;
	return 0;
}

static const char *connector_of(const struct config *cfg, const char *monitor)
{
	const struct config_monitor *m = config_monitor_by_name(cfg, monitor);
	return m ? m->connector : monitor;
}

/* The runtime binding of vm so far, to add to. */
static int binding_start(struct state *d, const char *vm, struct control_binding *bd)
{
	const struct control_binding *cur = control_bindings_find(d->bindings, vm);
	if (cur)
		return control_binding_copy(cur, bd);
	*bd = (struct control_binding){ .vm = strdup(vm) };
	return bd->vm ? 0 : -ENOMEM;
}

/* Records bd, persists it, applies it; the reply says what is desired now. */
static int commit_binding(struct control_call *call, size_t index, struct control_binding *bd,
			  const char *what)
{
	struct state *d = call->st;
	int r = control_bindings_set(d->bindings, bd);
	if (r < 0)
		return fail(call, r, "out of memory");
	int saved = control_bindings_save(d->bindings);
	if (saved < 0)
		log_errno(saved, "%s: cannot save the runtime bindings; they will not survive a "
			     "restart", control_bindings_path(d->bindings));
	r = rebind(call, index, bd);
	if (r < 0)
		return r;
	const struct vm *vm = d->vms[index];
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, vm->name, vm->cfg->monitor, what);
	log_info("vm=%s monitor=%s action=%s uid=%u", vm->name,
		 vm->cfg->monitor ? vm->cfg->monitor : "-", what, (unsigned)call->peer->uid);
	struct json_object *res = json_object_new_object();
	json_object_object_add(res, "vm", json_object_new_string(vm->name));
	json_object_object_add(res, "monitor", str_or_null(vm->cfg->monitor));
	json_object_object_add(res, "planes", json_object_new_int((int)vm->cfg->planes));
	json_object_object_add(res, "persisted", json_object_new_boolean(saved == 0));
	call->result = res;
	return 0;
}

/* bind of a VM the layout lacks: the binding makes it on the reload. */
static int bind_new_vm(struct control_call *call, struct control_binding *bd)
{
	struct state *d = call->st;
	int r = control_bindings_set(d->bindings, bd);
	if (r < 0)
		return fail(call, r, "out of memory");
	r = state_reload(d);
	size_t index;
	const struct vm *vm = r == 0 ? state_vm(d, bd->vm, &index) : NULL;
	if (!vm) {
		control_bindings_forget(d->bindings, bd->vm);
		return fail(call, r < 0 ? r : -EIO, "vm %s could not be added to the layout; the "
						   "daemon log says why",
			    bd->vm);
	}
	int saved = control_bindings_save(d->bindings);
	if (saved < 0)
		log_errno(saved, "%s: cannot save the runtime bindings; they will not survive a "
			     "restart", control_bindings_path(d->bindings));
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, vm->name, vm->cfg->monitor, "bound (new vm)");
	log_info("vm=%s monitor=%s action=bound-new-vm uid=%u", vm->name, vm->cfg->monitor,
		 (unsigned)call->peer->uid);
	struct json_object *res = json_object_new_object();
	json_object_object_add(res, "vm", json_object_new_string(vm->name));
	json_object_object_add(res, "monitor", str_or_null(vm->cfg->monitor));
	json_object_object_add(res, "planes", json_object_new_int((int)vm->cfg->planes));
	json_object_object_add(res, "persisted", json_object_new_boolean(saved == 0));
	call->result = res;
	return 0;
}

/* bind --permanent: a drop-in file in the layout's own directory. */
static int bind_permanent(struct control_call *call, const struct control_binding *bd)
{
	struct state *d = call->st;
	if (!d->dropin_dir)
		return fail(call, -EOPNOTSUPP,
			    "directflipd runs without a drop-in directory (it was started with -c "
			    "FILE and no --dropin-dir); bind without --permanent, or edit %s",
			    d->config_path);
	char path[4096];
	snprintf(path, sizeof(path), "%s/90-vgpu-assign-%s.ini", d->dropin_dir, bd->vm);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* The directory may not exist yet on a fresh install. Write failures
	 * are the daemon's, not the caller's: -EIO, whatever errno said, so
	 * that ENOENT does not read as "no such vm" (exit status 5). */
	if (mkdir(d->dropin_dir, 0755) < 0 && errno != EEXIST)
		return fail(call, -EIO, "%s: cannot create the drop-in directory: %s",
			    d->dropin_dir, strerror(errno));
	FILE *f = fopen(tmp, "wxe");
	if (!f)
		return fail(call, -EIO, "%s: cannot write the drop-in file: %s", tmp,
			    strerror(errno));
	time_t now = time(NULL);
	char when[64] = "";
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(f, "; Written by `vgpu-assign bind --permanent` (uid %u) on %s.\n"
		   "; Remove this file and reload to undo.\n",
		(unsigned)call->peer->uid, when);
	/* A connector name, or a monitor only a runtime binding defined. */
	const struct config_monitor *m = config_monitor_by_name(d->config, bd->monitor);
	if (!m || (m->where.file && strcmp(m->where.file, CONTROL_BINDINGS_WHERE) == 0))
		fprintf(f, "\n[monitor.%s]\nconnector = %s\n", bd->monitor, bd->monitor);
	fprintf(f, "\n[vm.%s]\nmonitor = %s\n", bd->vm, bd->monitor);
	if (bd->has_planes)
		fprintf(f, "planes = %u\n", bd->planes);
	if (bd->has_mode && bd->mode.set)
		fprintf(f, "mode = %ux%u@%u\n", bd->mode.width, bd->mode.height, bd->mode.refresh);
	if (bd->has_scaling)
		fprintf(f, "scaling = %s\n", config_scaling_name(bd->scaling));
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return fail(call, -EIO, "%s: cannot write the drop-in file: %s", path, strerror(e));
	}
	/* The file now says it; a runtime binding would only hide it. */
	struct control_binding *saved = NULL;
	const struct control_binding *cur = control_bindings_find(d->bindings, bd->vm);
	struct control_binding keep;
	if (cur && control_binding_copy(cur, &keep) == 0)
		saved = &keep;
	control_bindings_forget(d->bindings, bd->vm);
	int r = state_reload(d);
	if (r < 0) {
		unlink(path);
		if (saved)
			control_bindings_set(d->bindings, saved);
		control_binding_clear(saved);
		return fail(call, r, "%s made the layout invalid, so it was removed again; the "
				     "daemon log says why",
			    path);
	}
	control_binding_clear(saved);
	control_bindings_save(d->bindings);
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, bd->vm, bd->monitor, "bound permanently");
	log_info("vm=%s monitor=%s action=bound-permanently file=%s uid=%u", bd->vm, bd->monitor,
		 path, (unsigned)call->peer->uid);
	call->result = json_object_new_object();
	json_object_object_add(call->result, "vm", json_object_new_string(bd->vm));
	json_object_object_add(call->result, "monitor", json_object_new_string(bd->monitor));
	json_object_object_add(call->result, "file", json_object_new_string(path));
	return 0;
}

static int m_bind(struct control_call *call)
{
	struct state *d = call->st;
	int r = need_admin(call, "bind");
	if (r < 0)
		return r;
	char err[256];
	const char *name = NULL, *monitor_arg = NULL, *mode = NULL, *scaling = NULL;
	uint32_t planes = 0;
	bool permanent = false;
	static const char *const known[] = { "vm", "monitor", "planes", "mode", "scaling",
					     "permanent", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_string(call->params, "vm", true, &name, err, sizeof(err)) < 0 ||
	    df_param_string(call->params, "monitor", true, &monitor_arg, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "planes", false, 1, CONFIG_MAX_PLANES, &planes, err,
			  sizeof(err)) == -EINVAL ||
	    df_param_string(call->params, "mode", false, &mode, err, sizeof(err)) == -EINVAL ||
	    df_param_string(call->params, "scaling", false, &scaling, err, sizeof(err)) == -EINVAL ||
	    df_param_bool(call->params, "permanent", false, &permanent, err, sizeof(err)) == -EINVAL)
		return bad_param(call, "bind", err);
	size_t index = SIZE_MAX;
	struct vm *vm = state_vm(d, name, &index);
	/* A VM the layout lacks is made by its binding (a fresh start's
	 * empty layout); its name must be one a layout could write. */
	if (!vm && !config_name_valid(name))
		return fail(call, -EINVAL, "bind: '%s' is not a vm name (letters, digits, '_' and "
					   "'-', at most %d)",
			    name, CONFIG_MAX_NAME);
	if (!vm && d->n_vms >= CONFIG_MAX_VMS)
		return fail(call, -E2BIG, "bind: the layout has %d vms already, the most there can be",
			    CONFIG_MAX_VMS);
	const char *monitor = NULL; /* gcc -O2 cannot see resolve_monitor set it */
	r = resolve_monitor(call, monitor_arg, &monitor);
	if (r < 0)
		return r;
	const char *conn = connector_of(d->config, monitor);
	for (size_t i = 0; i < d->n_vms; i++) {
		const struct config_vm *o = d->vms[i]->cfg;
		if (i == index || !o->monitor)
			continue;
		const char *oconn = connector_of(d->config, o->monitor);
		if (strcmp(o->monitor, monitor) == 0 || (conn && oconn && strcmp(conn, oconn) == 0))
			return fail(call, -EBUSY, "monitor %s is bound to vm %s; `vgpu-assign unbind "
						  "%s` first",
				    monitor, d->vms[i]->name, d->vms[i]->name);
	}
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return fail(call, -ENOMEM, "out of memory");
	bd.has_monitor = true;
	free(bd.monitor);
	bd.monitor = strdup(monitor);
	if (!bd.monitor) {
		control_binding_clear(&bd);
		return fail(call, -ENOMEM, "out of memory");
	}
	if (planes) {
		bd.has_planes = true;
		bd.planes = planes;
	}
	if (mode) {
		bd.has_mode = true;
		if (strcmp(mode, "preferred") == 0)
			bd.mode = (struct config_mode){ 0 };
		else if (config_parse_mode(mode, &bd.mode) < 0)
			r = fail(call, -EINVAL, "bind: mode '%s' is not WIDTHxHEIGHT[@REFRESH] (e.g. "
						"1920x1080@60) or 'preferred'",
				 mode);
	}
	if (scaling && r == 0) {
		bd.has_scaling = true;
		if (config_scaling_parse(scaling, &bd.scaling) < 0)
			r = fail(call, -EINVAL, "bind: scaling '%s' is not fit, stretch, center or "
						"none",
				 scaling);
	}
	if (r == 0 && permanent)
		r = bind_permanent(call, &bd);
	else if (r == 0)
		r = vm ? commit_binding(call, index, &bd, "bound") : bind_new_vm(call, &bd);
	control_binding_clear(&bd);
	return r;
}

/* unbind {vm, reset: true}: the runtime binding goes, the layout applies. */
static int reset_binding(struct control_call *call, const char *name)
{
	struct state *d = call->st;
	if (!control_bindings_find(d->bindings, name)) {
		call->result = json_object_new_object();
		json_object_object_add(call->result, "vm", json_object_new_string(name));
		return 0;
	}
	control_bindings_forget(d->bindings, name);
	int r = control_bindings_save(d->bindings);
	if (r < 0)
		log_errno(r, "%s: cannot save the runtime bindings",
			  control_bindings_path(d->bindings));
	r = state_reload(d);
	if (r < 0)
		return fail(call, r, "vm %s's runtime binding is dropped, but the layout %s did not "
				     "load (the daemon log says why); it applies once it does",
			    name, d->config_path);
	struct vm *vm = state_vm(d, name, NULL);
	const char *monitor = vm ? vm->cfg->monitor : NULL;
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, name, monitor, "reset to the layout");
	log_info("vm=%s monitor=%s action=binding-reset uid=%u", name, monitor ? monitor : "-",
		 (unsigned)call->peer->uid);
	call->result = json_object_new_object();
	json_object_object_add(call->result, "vm", json_object_new_string(name));
	json_object_object_add(call->result, "monitor", str_or_null(monitor));
	return 0;
}

static int m_unbind(struct control_call *call)
{
	struct state *d = call->st;
	int r = need_admin(call, "unbind");
	if (r < 0)
		return r;
	char err[256];
	const char *name = NULL;
	bool reset = false;
	static const char *const known[] = { "vm", "reset", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_string(call->params, "vm", true, &name, err, sizeof(err)) < 0 ||
	    df_param_bool(call->params, "reset", false, &reset, err, sizeof(err)) == -EINVAL)
		return bad_param(call, "unbind", err);
	size_t index;
	if (!state_vm(d, name, &index))
		return no_such_vm(call, name);
	if (reset)
		return reset_binding(call, name);
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return fail(call, -ENOMEM, "out of memory");
	bd.has_monitor = true;
	free(bd.monitor);
	bd.monitor = NULL;
	r = commit_binding(call, index, &bd, "unbound");
	control_binding_clear(&bd);
	return r;
}

static int m_map_plane(struct control_call *call)
{
	struct state *d = call->st;
	int r = need_admin(call, "map-plane");
	if (r < 0)
		return r;
	char err[256];
	const char *name = NULL, *source = NULL;
	uint32_t plane = 0;
	static const char *const known[] = { "vm", "plane", "source", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_string(call->params, "vm", true, &name, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "plane", true, 0, CONFIG_MAX_PLANES - 1, &plane, err,
			  sizeof(err)) < 0 ||
	    df_param_string(call->params, "source", true, &source, err, sizeof(err)) < 0)
		return bad_param(call, "map-plane", err);
	size_t index;
	struct vm *vm = state_vm(d, name, &index);
	if (!vm)
		return no_such_vm(call, name);
	if (plane >= vm->cfg->planes)
		return fail(call, -EINVAL, "vm %s has %u plane(s), so there is no plane %u; `vgpu-assign "
					   "bind %s MONITOR --planes N` gives it more",
			    name, vm->cfg->planes, plane, name);
	struct source *src = NULL;
	r = source_create(source, &src);
	source_destroy(src);
	if (r == -EOPNOTSUPP)
		return fail(call, r, "source '%s': this source type is not supported yet; use "
				     DF_SOURCES_TEXT,
			    source);
	if (r < 0)
		return fail(call, -EINVAL, "source '%s' is not " DF_SOURCES_TEXT
					   " (PATH is absolute)",
			    source);
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return fail(call, -ENOMEM, "out of memory");
	free(bd.sources[plane]);
	bd.sources[plane] = strdup(source);
	r = bd.sources[plane] ? commit_binding(call, index, &bd, "plane-mapped")
			      : fail(call, -ENOMEM, "out of memory");
	control_binding_clear(&bd);
	return r;
}

/* ---- the client source: dma-bufs from a VMM ---- */

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
		return bad_param(call, method, err);
	struct vm *vm = state_vm(call->st, name, NULL);
	if (!vm)
		return no_such_vm(call, name);
	char act[128];
	snprintf(act, sizeof(act), "feed vm %s's planes", vm->name);
	int r = owner_or_admin(call, vm, act);
	if (r < 0)
		return r;
	struct source *src = plane < vm->cfg->planes ? vm->sources[plane] : NULL;
	if (!src || strcmp(source_kind_name(src), "client") != 0)
		return fail(call, -EINVAL, "vm %s plane %u takes no frames from a client (its source "
					   "is %s); map it with `vgpu-assign map %s %u client`",
			    vm->name, plane, src ? source_spec(src) : "none", vm->name, plane);
	*vm_out = vm;
	*src_out = src;
	return 0;
}

/* Commits what src shows now; an error is the vm's until a frame works. */
static int client_commit(struct control_call *call, struct vm *vm, struct source *src, int r,
			 const char *what, uint32_t buffer)
{
	static const char prefix[] = "client frame: ";
	if (r == 0)
		r = reconcile_remap(call->st, vm);
	source_client_collect(src);
	if (r < 0) {
		fail(call, r, "vm %s: %s buffer %u failed: %s", vm->name, what, buffer, strerror(-r));
		snprintf(vm->error, sizeof(vm->error), "%s%.200s", prefix, call->message);
		events_emit(call->st->events, DF_EVENT_ERROR, vm->name, vm->cfg->monitor,
			    call->message);
		return r;
	}
	if (strncmp(vm->error, prefix, sizeof(prefix) - 1) == 0)
		vm->error[0] = '\0';
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
		return bad_param(call, method, err);
	if (mod) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(mod, &end, 0);
		if (errno || end == mod || *end || mod[0] == '-')
			return bad_param(call, method,
					 "\"modifier\" must be a string holding a 64-bit DRM "
					 "format modifier, e.g. \"0x0\" for linear");
		b->modifier = v;
	}
	return 0;
}

static int m_scanout_dmabuf(struct control_call *call)
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
		return fail(call, -EBADF, "scanout-dmabuf: send the dma-buf fd with the request "
					  "(SCM_RIGHTS)");
	if (!call->st->card)
		return fail(call, -ENODEV, "vm %s: there is no card now to import the dma-buf on",
			    vm->name);
	uint32_t fb = 0;
	r = source_client_import(src, call->conn, call->st->card->fd, buffer, &b, call->fd_in, &fb);
	if (r == -EBUSY)
		return fail(call, r, "vm %s: another connection feeds this plane; it must close first",
			    vm->name);
	r = client_commit(call, vm, src, r, "importing", buffer);
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

static int m_update_dmabuf(struct control_call *call)
{
	static const char *const known[] = { "vm", "plane", "buffer", NULL };
	char err[256];
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return bad_param(call, "update-dmabuf", err);
	struct vm *vm = NULL;
	struct source *src = NULL;
	uint32_t buffer = 0, fb = 0;
	int r = client_plane(call, "update-dmabuf", &vm, &src, &buffer);
	if (r < 0)
		return r;
	r = source_client_show(src, call->conn, buffer, &fb);
	if (r == -EBUSY)
		return fail(call, r, "vm %s: another connection feeds this plane", vm->name);
	if (r == -ENOENT)
		return fail(call, r, "vm %s: buffer %u was never imported (or was evicted: at most %d "
				     "are kept); send it with scanout-dmabuf",
			    vm->name, buffer, SOURCE_CLIENT_MAX_BUFFERS);
	r = client_commit(call, vm, src, r, "showing", buffer);
	if (r < 0)
		return r;
	call->result = json_object_new_object();
	json_object_object_add(call->result, "fb", json_object_new_int64(fb));
	json_object_object_add(call->result, "shown", json_object_new_boolean(vm->state == VM_LEASED));
	return 0;
}

/* ---- take-lease: a second client of the same vm takes its lease over ---- */

static int m_take_lease(struct control_call *call)
{
	struct state *d = call->st;
	static const char *const known[] = { "vm", "width", "height", "format", "modifier",
					     "stride", "offset", NULL };
	struct kms_dmabuf b;
	if (dmabuf_params(call, "take-lease", known, &b) < 0)
		return -EINVAL;
	struct vm *vm = NULL;
	int r = lease_vm(call, "take-lease", "take over", &vm);
	if (r < 0)
		return r;
	if (call->fd_in < 0)
		return fail(call, -EBADF, "take-lease: send your first frame's dma-buf fd with the "
					  "request (SCM_RIGHTS)");
	if (vm->state != VM_LEASED || vm->lease_fd < 0 || !d->card)
		return fail(call, -EAGAIN, "vm %s has no lease now to take over (state %s); "
					   "get-lease once it is granted (`vgpu-assign watch`)",
			    vm->name, vm_state_name(vm->state));
	/* The daemon draws planes that have sources: a frame from a taker
	 * would be overwritten by the next source change. */
	for (unsigned k = 0; k < vm->cfg->planes && k < CONFIG_MAX_PLANES; k++)
		if (vm->sources[k])
			return fail(call, -EINVAL, "vm %s plane %u is drawn by the daemon from source "
						   "%s, so its lease cannot be taken over; take-lease "
						   "is for a vm bound without sources",
				    vm->name, k, source_spec(vm->sources[k]));
	uint32_t fb = 0;
	r = kms_dmabuf_import(d->card->fd, call->fd_in, &b, &fb);
	if (r < 0)
		return fail(call, r, "vm %s: take-lease: importing the %ux%u frame failed: %s; the "
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
	r = reconcile_takeover(d, vm, fb, detail);
	if (r < 0 && vm->takeover_fb != fb && vm->state == VM_LEASED) {
		/* Refused before it was shown: nothing changed. */
		drmModeRmFB(d->card->fd, fb);
		return fail(call, r, "vm %s: take-lease: the kernel refused the frame on plane %u: "
				     "%s%s; the lease stays with its holder",
			    vm->name, vm->alloc.planes[0], strerror(-r),
			    r == -ERANGE ? " (the plane cannot scale or place a frame of this "
					   "size: send one of the mode's size)"
					 : "");
	}
	if (r < 0)
		return fail(call, r, "vm %s: take-lease: the frame was shown but the lease could not "
				     "be handed over: %s; %s",
			    vm->name, strerror(-r),
			    vm->state == VM_LEASED ? "the old holder keeps it"
						   : "the vm is granted again (`vgpu-assign watch`)");
	log_info("vm=%s lessee=%u old-lessee=%u fb=%u action=lease-taken-over pid=%d uid=%u",
		 vm->name, vm->lessee_id, old_lessee, fb, (int)call->peer->pid,
		 (unsigned)call->peer->uid);
	note_holder(vm, call->peer);
	call->result = lease_json(vm);
	json_object_object_add(call->result, "fb", json_object_new_int64(fb));
	json_object_object_add(call->result, "revoked", json_object_new_int64(old_lessee));
	call->fd = vm->lease_fd;
	return 0;
}

bool control_method_takes_fd(enum df_method m)
{
	return m == DF_METHOD_SCANOUT_DMABUF || m == DF_METHOD_TAKE_LEASE;
}

void control_methods_conn_gone(struct state *d, const void *conn)
{
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		/* A taker that flipped its own frame and left: ours is unused. */
		reconcile_collect_takeover(d, vm);
		bool fed = false;
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			fed |= vm->sources[k] && source_client_disown(vm->sources[k], conn);
		if (!fed)
			continue;
		/* Plane off first, then the framebuffers: the monitor goes black,
		 * never a stale frame. */
		int r = reconcile_remap(d, vm);
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			if (vm->sources[k])
				source_client_drop_buffers(vm->sources[k]);
		if (r < 0)
			log_errno(r, "vm=%s: switching off the planes of a client that left failed",
				  vm->name);
		log_info("vm=%s monitor=%s action=client-gone", vm->name,
			 vm->cfg->monitor ? vm->cfg->monitor : "-");
	}
}

typedef int (*method_fn)(struct control_call *call);

static const method_fn methods[DF_METHOD_COUNT] = {
	[DF_METHOD_HELLO] = m_hello,
	[DF_METHOD_STATUS] = m_status,
	[DF_METHOD_LIST_MONITORS] = m_list_monitors,
	[DF_METHOD_LIST_VMS] = m_list_vms,
	[DF_METHOD_LIST_LEASES] = m_list_leases,
	[DF_METHOD_BIND] = m_bind,
	[DF_METHOD_UNBIND] = m_unbind,
	[DF_METHOD_MAP_PLANE] = m_map_plane,
	[DF_METHOD_GET_LEASE] = m_get_lease,
	[DF_METHOD_SUBSCRIBE] = m_subscribe,
	[DF_METHOD_RELOAD] = m_reload,
	[DF_METHOD_SCANOUT_DMABUF] = m_scanout_dmabuf,
	[DF_METHOD_UPDATE_DMABUF] = m_update_dmabuf,
	[DF_METHOD_TAKE_LEASE] = m_take_lease,
};

int control_method_call(enum df_method m, struct control_call *call)
{
	if ((unsigned)m >= DF_METHOD_COUNT || !methods[m])
		return fail(call, -ENOSYS, "method not implemented");
	return methods[m](call);
}
