/* SPDX-License-Identifier: MIT */
#include "daemon/state/vm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/source/source.h"

struct vm *vm_create(const struct config_vm *cfg)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->name = strdup(cfg->name);
	if (!vm->name) {
		free(vm);
		return NULL;
	}
	vm->cfg = cfg;
	vm->lease_fd = -1;
	vm->dirty = true;
	for (unsigned k = 0; k < cfg->planes && k < CONFIG_MAX_PLANES; k++) {
		if (!cfg->sources[k])
			continue;
		int r = source_create(cfg->sources[k], &vm->sources[k]);
		char msg[sizeof(vm->error)];
		if (r < 0) {
			snprintf(msg, sizeof(msg), "source.%u '%s': %s", k, cfg->sources[k],
				 r == -EOPNOTSUPP ? "this source type is not supported yet"
						  : "malformed source");
			vm_set_error(vm, VM_ERROR_BINDING, msg);
		}
	}
	return vm;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		source_destroy(vm->sources[k]);
	free(vm->name);
	free(vm);
}

void vm_take_client_sources(struct vm *to, struct vm *from)
{
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++) {
		struct source *old = from->sources[k], *new = to->sources[k];
		if (!old || !new || strcmp(source_kind_name(old), "client") != 0 ||
		    strcmp(source_spec(old), source_spec(new)) != 0)
			continue;
		source_destroy(new);
		to->sources[k] = old;
		from->sources[k] = NULL;
	}
}

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_UNBOUND:
		return "unbound";
	case VM_WAITING:
		return "waiting";
	case VM_LEASED:
		return "leased";
	case VM_FAILED:
		return "failed";
	}
	return "unknown";
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool mode_eq(const struct config_mode *a, const struct config_mode *b)
{
	return a->set == b->set && (!a->set || (a->width == b->width && a->height == b->height &&
						a->refresh == b->refresh));
}

static bool monitor_eq(const struct config_monitor *a, const struct config_monitor *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->connector, b->connector) && a->edid.set == b->edid.set &&
	       (!a->edid.set || (strcmp(a->edid.vendor, b->edid.vendor) == 0 &&
				 a->edid.product == b->edid.product &&
				 a->edid.has_serial == b->edid.has_serial &&
				 a->edid.serial == b->edid.serial)) &&
	       mode_eq(&a->mode, &b->mode);
}

bool vm_binding_equal(const struct config *a_cfg, const struct config_vm *a,
		      const struct config *b_cfg, const struct config_vm *b)
{
	if (!str_eq(a->monitor, b->monitor) || a->planes != b->planes ||
	    a->scaling != b->scaling || !mode_eq(&a->mode, &b->mode))
		return false;
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		if (!str_eq(a->sources[k], b->sources[k]))
			return false;
	const struct config_monitor *ma = a->monitor ? config_monitor_by_name(a_cfg, a->monitor) : NULL;
	const struct config_monitor *mb = b->monitor ? config_monitor_by_name(b_cfg, b->monitor) : NULL;
	return monitor_eq(ma, mb);
}

bool vm_set_error(struct vm *vm, enum vm_error_origin origin, const char *msg)
{
	bool changed = strncmp(msg, vm->error, sizeof(vm->error) - 1) != 0;
	snprintf(vm->error, sizeof(vm->error), "%s", msg);
	vm->error_origin = msg[0] ? origin : VM_ERROR_NONE;
	return changed;
}

void vm_clear_error(struct vm *vm)
{
	vm->error[0] = '\0';
	vm->error_origin = VM_ERROR_NONE;
}

void vm_clear_error_from(struct vm *vm, enum vm_error_origin origin)
{
	if (vm->error_origin == origin)
		vm_clear_error(vm);
}

void vm_fail(struct vm *vm, enum vm_state state, const char *fmt, ...)
{
	char msg[sizeof(vm->error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool changed = vm_set_error(vm, VM_ERROR_BINDING, msg) || vm->state != state;
	vm->state = state;
	/* One line per decision, not one per pass. */
	if (changed)
		log_msg(state == VM_FAILED ? LOG_ERR : LOG_INFO, "vm=%s monitor=%s state=%s reason=\"%s\"",
			vm->name, vm->cfg->monitor ? vm->cfg->monitor : "-", vm_state_name(state), msg);
}
