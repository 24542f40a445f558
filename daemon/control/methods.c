/* SPDX-License-Identifier: MIT */
/*
 * The control methods: the table from enum df_method to its handler
 * (handlers.h), and what a closing connection leaves behind. Every
 * refusal names the object and says what to do.
 */
#include "daemon/control/methods.h"

#include <errno.h>
#include <stdio.h>

#include "config/config.h"
#include "daemon/control/handlers.h"
#include "daemon/log.h"
#include "daemon/source/client.h"
#include "daemon/state/takeover.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"

void control_methods_conn_gone(struct state *d, const void *conn)
{
	for (size_t i = 0; i < d->n_vms; i++) {
		struct vm *vm = d->vms[i];
		/* A taker that flipped its own frame and left: ours is unused. */
		takeover_collect(d, vm);
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

static const struct method {
	int (*fn)(struct control_call *call);
	bool takes_fd;    /* the client sends an fd with the request */
	bool vm_socket;   /* served on a VM's own socket too */
} methods[DF_METHOD_COUNT] = {
	[DF_METHOD_HELLO] = { method_hello, .vm_socket = true },
	[DF_METHOD_STATUS] = { method_status },
	[DF_METHOD_LIST_MONITORS] = { method_list_monitors },
	[DF_METHOD_LIST_VMS] = { method_list_vms },
	[DF_METHOD_LIST_LEASES] = { method_list_leases },
	[DF_METHOD_BIND] = { method_bind },
	[DF_METHOD_UNBIND] = { method_unbind },
	[DF_METHOD_MAP_PLANE] = { method_map_plane },
	[DF_METHOD_GET_LEASE] = { method_get_lease, .vm_socket = true },
	[DF_METHOD_SUBSCRIBE] = { method_subscribe, .vm_socket = true },
	[DF_METHOD_RELOAD] = { method_reload },
	[DF_METHOD_SCANOUT_DMABUF] = { method_scanout_dmabuf, .takes_fd = true },
	[DF_METHOD_UPDATE_DMABUF] = { method_update_dmabuf },
	[DF_METHOD_TAKE_LEASE] = { method_take_lease, .takes_fd = true, .vm_socket = true },
};

bool control_method_takes_fd(enum df_method m)
{
	return (unsigned)m < DF_METHOD_COUNT && methods[m].takes_fd;
}

bool control_method_on_vm_socket(enum df_method m)
{
	return (unsigned)m < DF_METHOD_COUNT && methods[m].vm_socket;
}

int control_method_call(enum df_method m, struct control_call *call)
{
	if ((unsigned)m >= DF_METHOD_COUNT || !methods[m].fn) {
		snprintf(call->message, sizeof(call->message), "method not implemented");
		return -ENOSYS;
	}
	return methods[m].fn(call);
}
