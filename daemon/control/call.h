/* SPDX-License-Identifier: MIT */
#pragma once
/* Helpers for the method handlers (m-*.c): each sets call->message and
 * returns the code, so a handler ends with `return call_fail(...)`. */
#include "daemon/control/methods.h"
#include "daemon/log.h"

struct vm;

int call_fail(struct control_call *call, int code, const char *fmt, ...) LOG_PRINTF(3, 4);
/* A params problem found by the df_param_* helpers (message in err). */
int call_bad_param(struct control_call *call, const char *method, const char *err);
/* 0 for an administrator, else -EPERM saying who may. */
int call_need_admin(struct control_call *call, const char *what);
int call_no_such_vm(struct control_call *call, const char *name);
/* The vm's owner= or an administrator (control_auth_may_use); act says
 * what, e.g. "take vm1's lease". */
int call_owner_or_admin(struct control_call *call, const struct vm *vm, const char *act);
/* Who was last sent vm's lease fd, for the lease-takeover event. */
void call_note_holder(struct vm *vm, const struct control_peer *peer);
/* The vm a lease request names (implied on a VM's socket, where no other
 * may be named), once the caller is its owner or an admin. */
int call_lease_vm(struct control_call *call, const char *method, const char *action,
		  struct vm **out);
