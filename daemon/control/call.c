/* SPDX-License-Identifier: MIT */
/* What every method shares: refusing with a message that names the object
 * and says what to do, and the owner/admin checks. */
#include "daemon/control/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "daemon/control/auth.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "directflip/protocol.h"

int call_fail(struct control_call *call, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(call->message, sizeof(call->message), fmt, ap);
	va_end(ap);
	return code;
}

/* A params problem found by the df_param_* helpers (message in err). */
int call_bad_param(struct control_call *call, const char *method, const char *err)
{
	return call_fail(call, -EINVAL, "%s: %s; see `vgpu-assign --help`", method, err);
}

int call_need_admin(struct control_call *call, const char *what)
{
	if (call->peer->admin)
		return 0;
	if (call->group)
		return call_fail(call, -EPERM, "%s needs an administrator: root or a member of group "
					  "%s (this is uid %u)",
				 what, call->group, (unsigned)call->peer->uid);
	return call_fail(call, -EPERM, "%s needs root (this is uid %u; [daemon] socket-group= "
				  "names a group of administrators)",
			 what, (unsigned)call->peer->uid);
}

int call_no_such_vm(struct control_call *call, const char *name)
{
	return call_fail(call, -ENOENT, "there is no vm named '%s'; `vgpu-assign vms` lists them, "
				   "and the layout defines them as [vm.NAME]",
			 name);
}

/* The vm's owner= or an administrator; act says what, e.g. "take vm1's lease". */
int call_owner_or_admin(struct control_call *call, const struct vm *vm, const char *act)
{
	const struct config_vm *cv = vm->cfg;
	if (control_auth_may_use(call->peer, cv))
		return 0;
	char admins[96];
	snprintf(admins, sizeof(admins), "root%s%s", call->group ? " or group " : "",
		 call->group ? call->group : "");
	if (cv->has_owner)
		return call_fail(call, -EPERM,
				 "uid %u may not %s: it belongs to owner %s (uid %u); run as that user "
				 "or as an administrator (%s)",
				 (unsigned)call->peer->uid, act, cv->owner, (unsigned)cv->owner_uid, admins);
	return call_fail(call, -EPERM,
			 "uid %u may not %s: the vm has no owner= in the layout, so only "
			 "administrators (%s) may",
			 (unsigned)call->peer->uid, act, admins);
}

/* Who was last sent vm's lease fd, for the lease-takeover event. */
void call_note_holder(struct vm *vm, const struct control_peer *peer)
{
	vm->has_holder = true;
	vm->holder_pid = (int)peer->pid;
	vm->holder_uid = (unsigned)peer->uid;
}

/* The vm a lease request names (implied on a VM's socket, where no other
 * may be named), once the caller is its owner or an admin. */
int call_lease_vm(struct control_call *call, const char *method, const char *action,
		    struct vm **out)
{
	char err[256];
	const char *name = NULL;
	if (df_param_string(call->params, "vm", !call->scope, &name, err, sizeof(err)) == -EINVAL)
		return call_bad_param(call, method, err);
	if (!name)
		name = call->scope;
	if (call->scope && strcmp(name, call->scope) != 0)
		return call_fail(call, -EACCES, "%s: this is vm %s's socket; it serves no other "
					   "vm's lease (asked for '%.64s')",
				 method, call->scope, name);
	struct vm *vm = state_vm(call->st, name, NULL);
	if (!vm)
		return call_no_such_vm(call, name);
	char act[128];
	snprintf(act, sizeof(act), "%s vm %s's lease", action, vm->name);
	int r = call_owner_or_admin(call, vm, act);
	if (r < 0)
		return r;
	*out = vm;
	return 0;
}
