/* SPDX-License-Identifier: MIT */
/* The methods that read: hello, status, the lists, subscribe, get-lease,
 * and reload. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drmMode.h>

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
#include "daemon/state/reconcile.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "daemon/input/input.h"
#include "daemon/source/source.h"

int method_hello(struct control_call *call)
{
	char err[256];
	uint32_t version = DF_PROTOCOL_VERSION;
	const char *client = NULL;
	static const char *const known[] = { "version", "client", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_uint(call->params, "version", false, 1, 1000, &version, err, sizeof(err)) ==
		    -EINVAL ||
	    df_param_string(call->params, "client", false, &client, err, sizeof(err)) == -EINVAL)
		return call_bad_param(call, "hello", err);
	if (version != DF_PROTOCOL_VERSION)
		return call_fail(call, -EPROTONOSUPPORT,
				 "this directflipd speaks protocol version %d, the client version %u: "
				 "use a vgpu-assign or client library from the same release",
				 DF_PROTOCOL_VERSION, version);
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "version", json_object_new_int(DF_PROTOCOL_VERSION));
	json_object_object_add(r, "server", json_object_new_string("directflipd " DIRECTFLIP_VERSION));
	struct json_object *methods = json_object_new_array();
	for (int i = 0; i < DF_METHOD_COUNT; i++)
		if (!call->scope || control_method_on_vm_socket((enum df_method)i))
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

int method_status(struct control_call *call)
{
	struct state *d = call->st;
	size_t leased = 0;
	for (size_t i = 0; i < d->n_vms; i++)
		leased += d->vms[i]->state == VM_LEASED;
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "server", json_object_new_string("directflipd " DIRECTFLIP_VERSION));
	json_object_object_add(r, "protocol", json_object_new_int(DF_PROTOCOL_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "card", json_str_or_null(d->card ? d->card->path : NULL));
	json_object_object_add(r, "config", json_str_or_null(d->config_path));
	json_object_object_add(r, "dropin_dir", json_str_or_null(d->dropin_dir));
	json_object_object_add(r, "socket", json_str_or_null(d->socket_path));
	json_object_object_add(r, "state_file",
			       json_str_or_null(d->bindings ? control_bindings_path(d->bindings) : NULL));
	json_object_object_add(r, "vms", json_object_new_int64((int64_t)d->n_vms));
	json_object_object_add(r, "leased", json_object_new_int64((int64_t)leased));
	json_object_object_add(r, "runtime_bindings",
			       json_object_new_int64(d->bindings ? (int64_t)control_bindings_count(d->bindings) : 0));
	json_object_object_add(r, "clients", json_object_new_int64((int64_t)call->n_clients));
	struct json_object *focus = json_object_new_object();
	for (size_t i = 0; i < input_seat_count(d->input); i++)
		json_object_object_add(focus, input_seat_name(d->input, i),
				       json_str_or_null(input_seat_focus(d->input, i)));
	json_object_object_add(r, "focus", focus);
	call->result = r;
	return 0;
}

int method_list_monitors(struct control_call *call)
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
		json_object_object_add(o, "monitor", json_str_or_null(monitor_name_of(d->config, c)));
		json_object_object_add(o, "edid", json_edid(c));
		json_object_object_add(o, "mm_width", json_object_new_int64(c->mm_width));
		json_object_object_add(o, "mm_height", json_object_new_int64(c->mm_height));
		struct json_object *modes = json_object_new_array();
		for (size_t k = 0; k < c->n_modes; k++)
			json_object_array_add(modes, json_mode(&c->modes[k].info, c->modes[k].preferred));
		json_object_object_add(o, "modes", modes);
		const char *shown_by = NULL;
		for (size_t v = 0; v < d->n_vms; v++)
			if (d->vms[v]->state == VM_LEASED && d->vms[v]->conn_id == c->id)
				shown_by = d->vms[v]->name;
		json_object_object_add(o, "vm", json_str_or_null(shown_by));
		json_object_array_add(list, o);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "card", json_str_or_null(d->card ? d->card->path : NULL));
	json_object_object_add(r, "monitors", list);
	call->result = r;
	return 0;
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

int method_list_vms(struct control_call *call)
{
	struct state *d = call->st;
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < d->n_vms; i++) {
		const struct vm *vm = d->vms[i];
		const struct config_vm *cv = vm->cfg;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(vm->name));
		json_object_object_add(o, "state", json_object_new_string(vm_state_name(vm->state)));
		json_object_object_add(o, "monitor", json_str_or_null(cv->monitor));
		json_object_object_add(o, "planes", json_object_new_int((int)cv->planes));
		char mode[48] = "";
		if (cv->mode.set)
			snprintf(mode, sizeof(mode), "%ux%u@%u", cv->mode.width, cv->mode.height,
				 cv->mode.refresh);
		json_object_object_add(o, "mode", json_str_or_null(cv->mode.set ? mode : NULL));
		json_object_object_add(o, "scaling", json_object_new_string(config_scaling_name(cv->scaling)));
		struct json_object *src = json_object_new_array();
		for (unsigned k = 0; k < cv->planes && k < CONFIG_MAX_PLANES; k++)
			json_object_array_add(src, json_str_or_null(cv->sources[k]));
		json_object_object_add(o, "sources", src);
		json_object_object_add(o, "owner", json_str_or_null(cv->has_owner ? cv->owner : NULL));
		json_object_object_add(o, "owner_uid",
				       cv->has_owner ? json_object_new_int64(cv->owner_uid) : NULL);
		json_object_object_add(o, "runtime",
				       json_object_new_boolean(d->bindings &&
							       control_bindings_find(d->bindings, vm->name)));
		json_object_object_add(o, "error", json_str_or_null(vm->error[0] ? vm->error : NULL));
		json_object_object_add(o, "lease", vm->state == VM_LEASED ? json_lease(vm) : NULL);
		json_object_object_add(o, "input", input_json(d, vm->name));
		json_object_array_add(list, o);
	}
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "vms", list);
	call->result = r;
	return 0;
}

int method_list_leases(struct control_call *call)
{
	struct state *d = call->st;
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < d->n_vms; i++)
		if (d->vms[i]->state == VM_LEASED)
			json_object_array_add(list, json_lease(d->vms[i]));
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "leases", list);
	call->result = r;
	return 0;
}

int method_subscribe(struct control_call *call)
{
	char err[256];
	static const char *const known[] = { "events", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return call_bad_param(call, "subscribe", err);
	struct json_object *want = NULL;
	json_object_object_get_ex(call->params, "events", &want);
	uint32_t mask = 0;
	if (!want || json_object_is_type(want, json_type_null)) {
		mask = (1u << DF_EVENT_COUNT) - 1;
	} else if (!json_object_is_type(want, json_type_array)) {
		return call_fail(call, -EINVAL, "subscribe: \"events\" must be an array of event names");
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
				return call_fail(call, -EINVAL, "subscribe: unknown event %.64s; events are %s",
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

int method_get_lease(struct control_call *call)
{
	char err[256];
	static const char *const known[] = { "vm", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return call_bad_param(call, "get-lease", err);
	struct vm *vm = NULL;
	int r = call_lease_vm(call, "get-lease", "take", &vm);
	if (r < 0)
		return r;
	if (vm->state != VM_LEASED || vm->lease_fd < 0)
		return call_fail(call, -EAGAIN, "vm %s has no lease now (state %s%s%s); `vgpu-assign "
					   "watch` shows when it is granted",
				 vm->name, vm_state_name(vm->state), vm->error[0] ? ": " : "",
				 vm->error);
	call->result = json_lease(vm);
	call->fd = vm->lease_fd;
	call_note_holder(vm, call->peer);
	log_info("vm=%s lessee=%u action=lease-fd-sent pid=%d uid=%u", vm->name, vm->lessee_id,
		 (int)call->peer->pid, (unsigned)call->peer->uid);
	return 0;
}

int method_reload(struct control_call *call)
{
	int r = call_need_admin(call, "reload");
	if (r < 0)
		return r;
	static const char *const known[] = { NULL };
	char err[256];
	if (df_params_only(call->params, known, err, sizeof(err)) < 0)
		return call_bad_param(call, "reload", err);
	r = state_reload(call->st);
	if (r < 0)
		return call_fail(call, r, "the layout %s was not reloaded: %s; the running layout is "
				     "kept (the daemon log and `directflipd --check-config` show "
				     "every problem)",
				 call->st->config_path,
				 r == -EINVAL ? "it has errors" : strerror(-r));
	call->result = json_object_new_object();
	json_object_object_add(call->result, "vms", json_object_new_int64((int64_t)call->st->n_vms));
	return 0;
}
