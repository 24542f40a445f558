/* SPDX-License-Identifier: MIT */
/* bind, unbind and map-plane: they become runtime bindings, are applied to
 * the VM's desired state, and leave the rest to reconcile, the same path
 * as a config change. bind --permanent writes a drop-in instead. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/dropin.h"
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
#include "daemon/state/lease.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"

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
		return call_fail(call, -ENOENT, "vm %s is not in the running layout", old->name);
	if (!changes(bd, cv))
		return 0;
	if (old->state == VM_LEASED && d->card)
		lease_release(d, old, "binding changed by vgpu-assign");
	/* A binding changes no KMS object: the pass re-reads nothing and
	 * looks at this vm (and, as a lease ended, at the vms waiting). */
	int r = control_binding_apply(bd, d->config, cv);
	if (r < 0) {
		state_schedule_vm(d, old);
		return call_fail(call, r, "vm %s: %s", old->name,
				 r == -E2BIG ? "too many monitors in the layout" : strerror(-r));
	}
	struct vm *fresh = vm_create(cv);
	if (fresh) {
		vm_take_client_sources(fresh, old);
		vm_destroy(old);
		d->vms[index] = fresh;
		if (fresh->error[0])
			log_error("vm=%s: %s", fresh->name, fresh->error);
	}
	state_schedule_vm(d, d->vms[index]);
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
		return call_fail(call, -ENODEV, "there is no monitor or connector named '%s'; "
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
/* 0, or why the runtime bindings could not be saved (logged here). */
static int save_bindings(struct state *d)
{
	int saved = control_bindings_save(d->bindings);
	if (saved < 0)
		log_errno(saved, "%s: cannot save the runtime bindings; they will not survive a "
			     "restart", control_bindings_path(d->bindings));
	return saved;
}

/* The event, the log line and the reply of a binding that took effect. */
static int binding_done(struct control_call *call, const struct vm *vm, const char *what,
			int saved)
{
	struct state *d = call->st;
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, vm->name, vm->cfg->monitor, what);
	log_info("vm=%s monitor=%s action=%s uid=%u", vm->name,
		 vm->cfg->monitor ? vm->cfg->monitor : "-", what, (unsigned)call->peer->uid);
	struct json_object *res = json_object_new_object();
	json_object_object_add(res, "vm", json_object_new_string(vm->name));
	json_object_object_add(res, "monitor", json_str_or_null(vm->cfg->monitor));
	json_object_object_add(res, "planes", json_object_new_int((int)vm->cfg->planes));
	json_object_object_add(res, "persisted", json_object_new_boolean(saved == 0));
	call->result = res;
	return 0;
}

static int commit_binding(struct control_call *call, size_t index, struct control_binding *bd,
			  const char *what)
{
	struct state *d = call->st;
	int r = control_bindings_set(d->bindings, bd);
	if (r < 0)
		return call_fail(call, r, "out of memory");
	int saved = save_bindings(d);
	r = rebind(call, index, bd);
	if (r < 0)
		return r;
	return binding_done(call, d->vms[index], what, saved);
}

/* bind of a VM the layout lacks: the binding makes it on the reload. */
static int bind_new_vm(struct control_call *call, struct control_binding *bd)
{
	struct state *d = call->st;
	int r = control_bindings_set(d->bindings, bd);
	if (r < 0)
		return call_fail(call, r, "out of memory");
	r = state_reload(d);
	size_t index;
	const struct vm *vm = r == 0 ? state_vm(d, bd->vm, &index) : NULL;
	if (!vm) {
		control_bindings_forget(d->bindings, bd->vm);
		return call_fail(call, r < 0 ? r : -EIO, "vm %s could not be added to the layout; the "
						   "daemon log says why",
				 bd->vm);
	}
	return binding_done(call, vm, "bound-new-vm", save_bindings(d));
}

/* bind --permanent: a drop-in file in the layout's own directory. */
static int bind_permanent(struct control_call *call, const struct control_binding *bd)
{
	struct state *d = call->st;
	if (!d->dropin_dir)
		return call_fail(call, -EOPNOTSUPP,
				 "directflipd runs without a drop-in directory (it was started with -c "
				 "FILE and no --dropin-dir); bind without --permanent, or edit %s",
				 d->config_path);
	/* A connector name, or a monitor only a runtime binding defined. */
	const struct config_monitor *m = config_monitor_by_name(d->config, bd->monitor);
	struct config_binding_dropin w = {
		.vm = bd->vm,
		.monitor = bd->monitor,
		.define_monitor = !m || (m->where.file &&
					 strcmp(m->where.file, CONTROL_BINDINGS_WHERE) == 0),
		.has_planes = bd->has_planes,
		.planes = bd->planes,
		.mode = bd->has_mode ? &bd->mode : NULL,
		.has_scaling = bd->has_scaling,
		.scaling = bd->scaling,
		.uid = (unsigned)call->peer->uid,
	};
	char path[4096], failed[4200];
	bool dir_failed;
	int r = config_dropin_write_binding(d->dropin_dir, &w, path, sizeof(path), failed,
					    sizeof(failed), &dir_failed);
	/* Write failures are the daemon's, not the caller's: -EIO, whatever
	 * errno said, so that ENOENT does not read as "no such vm" (exit
	 * status 5). */
	if (r < 0)
		return call_fail(call, -EIO, "%s: cannot %s: %s", failed,
				 dir_failed ? "create the drop-in directory"
					    : "write the drop-in file",
				 strerror(-r));
	/* The file now says it; a runtime binding would only hide it. */
	struct control_binding *saved = NULL;
	const struct control_binding *cur = control_bindings_find(d->bindings, bd->vm);
	struct control_binding keep;
	if (cur && control_binding_copy(cur, &keep) == 0)
		saved = &keep;
	control_bindings_forget(d->bindings, bd->vm);
	r = state_reload(d);
	if (r < 0) {
		unlink(path);
		if (saved)
			control_bindings_set(d->bindings, saved);
		control_binding_clear(saved);
		return call_fail(call, r, "%s made the layout invalid, so it was removed again; the "
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

int method_bind(struct control_call *call)
{
	struct state *d = call->st;
	int r = call_need_admin(call, "bind");
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
		return call_bad_param(call, "bind", err);
	size_t index = SIZE_MAX;
	struct vm *vm = state_vm(d, name, &index);
	/* A VM the layout lacks is made by its binding (a fresh start's
	 * empty layout); its name must be one a layout could write. */
	if (!vm && !config_name_valid(name))
		return call_fail(call, -EINVAL, "bind: '%s' is not a vm name (letters, digits, '_' and "
					   "'-', at most %d)",
				 name, CONFIG_MAX_NAME);
	if (!vm && d->n_vms >= CONFIG_MAX_VMS)
		return call_fail(call, -E2BIG, "bind: the layout has %d vms already, the most there can be",
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
			return call_fail(call, -EBUSY, "monitor %s is bound to vm %s; `vgpu-assign unbind "
						  "%s` first",
					 monitor, d->vms[i]->name, d->vms[i]->name);
	}
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return call_fail(call, -ENOMEM, "out of memory");
	bd.has_monitor = true;
	free(bd.monitor);
	bd.monitor = strdup(monitor);
	if (!bd.monitor) {
		control_binding_clear(&bd);
		return call_fail(call, -ENOMEM, "out of memory");
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
			r = call_fail(call, -EINVAL, "bind: mode '%s' is not WIDTHxHEIGHT[@REFRESH] (e.g. "
						"1920x1080@60) or 'preferred'",
				      mode);
	}
	if (scaling && r == 0) {
		bd.has_scaling = true;
		if (config_scaling_parse(scaling, &bd.scaling) < 0)
			r = call_fail(call, -EINVAL, "bind: scaling '%s' is not fit, stretch, center or "
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
		return call_fail(call, r, "vm %s's runtime binding is dropped, but the layout %s did not "
				     "load (the daemon log says why); it applies once it does",
				 name, d->config_path);
	struct vm *vm = state_vm(d, name, NULL);
	const char *monitor = vm ? vm->cfg->monitor : NULL;
	events_emit(d->events, DF_EVENT_BINDING_CHANGED, name, monitor, "reset to the layout");
	log_info("vm=%s monitor=%s action=binding-reset uid=%u", name, monitor ? monitor : "-",
		 (unsigned)call->peer->uid);
	call->result = json_object_new_object();
	json_object_object_add(call->result, "vm", json_object_new_string(name));
	json_object_object_add(call->result, "monitor", json_str_or_null(monitor));
	return 0;
}

int method_unbind(struct control_call *call)
{
	struct state *d = call->st;
	int r = call_need_admin(call, "unbind");
	if (r < 0)
		return r;
	char err[256];
	const char *name = NULL;
	bool reset = false;
	static const char *const known[] = { "vm", "reset", NULL };
	if (df_params_only(call->params, known, err, sizeof(err)) < 0 ||
	    df_param_string(call->params, "vm", true, &name, err, sizeof(err)) < 0 ||
	    df_param_bool(call->params, "reset", false, &reset, err, sizeof(err)) == -EINVAL)
		return call_bad_param(call, "unbind", err);
	size_t index;
	const struct vm *vm = state_vm(d, name, &index);
	if (!vm)
		return call_no_such_vm(call, name);
	/* A VM only a binding made (bind on an empty layout) goes with it. */
	bool made = vm->cfg->where.file && strcmp(vm->cfg->where.file, CONTROL_BINDINGS_WHERE) == 0;
	if (reset || made)
		return reset_binding(call, name);
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return call_fail(call, -ENOMEM, "out of memory");
	bd.has_monitor = true;
	free(bd.monitor);
	bd.monitor = NULL;
	r = commit_binding(call, index, &bd, "unbound");
	control_binding_clear(&bd);
	return r;
}

int method_map_plane(struct control_call *call)
{
	struct state *d = call->st;
	int r = call_need_admin(call, "map-plane");
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
		return call_bad_param(call, "map-plane", err);
	size_t index;
	struct vm *vm = state_vm(d, name, &index);
	if (!vm)
		return call_no_such_vm(call, name);
	if (plane >= vm->cfg->planes)
		return call_fail(call, -EINVAL, "vm %s has %u plane(s), so there is no plane %u; `vgpu-assign "
					   "bind %s MONITOR --planes N` gives it more",
				 name, vm->cfg->planes, plane, name);
	struct source *src = NULL;
	r = source_create(source, &src);
	source_destroy(src);
	if (r == -EOPNOTSUPP)
		return call_fail(call, r, "source '%s': this source type is not supported yet; use "
				     DF_SOURCES_TEXT,
				 source);
	if (r < 0)
		return call_fail(call, -EINVAL, "source '%s' is not " DF_SOURCES_TEXT
					   " (PATH is absolute)",
				 source);
	struct control_binding bd;
	if (binding_start(d, name, &bd) < 0)
		return call_fail(call, -ENOMEM, "out of memory");
	free(bd.sources[plane]);
	bd.sources[plane] = strdup(source);
	r = bd.sources[plane] ? commit_binding(call, index, &bd, "plane-mapped")
			      : call_fail(call, -ENOMEM, "out of memory");
	control_binding_clear(&bd);
	return r;
}
