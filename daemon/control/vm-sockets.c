/* SPDX-License-Identifier: MIT */
#include "daemon/control/vm-sockets.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/control/listen.h"
#include "daemon/control/server.h"
#include "daemon/log.h"
#include "daemon/state/events.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"

struct vm_socket {
	char *vm;
	struct control *ctl;
};

struct vm_sockets {
	char *dir;                           /* .../vm */
	struct vm_socket items[CONFIG_MAX_VMS];
	size_t n;
};

int vm_sockets_create(const char *control_path, struct vm_sockets **out)
{
	char dir[4096];
	int r = control_socket_sibling(control_path, "vm", dir, sizeof(dir));
	if (r < 0)
		return r;
	struct vm_sockets *s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static void drop(struct vm_sockets *s, size_t i)
{
	control_destroy(s->items[i].ctl);
	free(s->items[i].vm);
	s->items[i] = s->items[--s->n];
}

void vm_sockets_destroy(struct vm_sockets *s)
{
	if (!s)
		return;
	while (s->n)
		drop(s, s->n - 1);
	free(s->dir);
	free(s);
}

static const struct vm *wanted(const struct state *d, const char *name)
{
	for (size_t i = 0; i < d->n_vms; i++)
		if (d->vms[i]->cfg->socket && strcmp(d->vms[i]->name, name) == 0)
			return d->vms[i];
	return NULL;
}

void vm_sockets_sync(struct vm_sockets *s, struct state *d)
{
	for (size_t i = s->n; i-- > 0;)
		if (!wanted(d, s->items[i].vm)) {
			log_info("vm=%s socket closed: the layout no longer asks for it",
				 s->items[i].vm);
			drop(s, i);
		}
	for (size_t v = 0; v < d->n_vms && s->n < CONFIG_MAX_VMS; v++) {
		const struct vm *vm = d->vms[v];
		bool have = false;
		for (size_t i = 0; i < s->n && !have; i++)
			have = strcmp(s->items[i].vm, vm->name) == 0;
		if (have || !vm->cfg->socket)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.sock", s->dir, vm->name);
		struct vm_socket *it = &s->items[s->n];
		it->vm = strdup(vm->name);
		/* control_create_vm logs its own failures, naming the vm and path. */
		if (!it->vm ||
		    control_create_vm(d, path, vm->name, d->config->daemon.socket_group, &it->ctl) < 0) {
			free(it->vm);
			it->vm = NULL;
			continue;
		}
		s->n++;
	}
}

void vm_sockets_send_event(struct vm_sockets *s, const struct event *e)
{
	/* focus-changed is about a seat, not a VM: the control socket's only. */
	if (e->type == DF_EVENT_FOCUS_CHANGED)
		return;
	for (size_t i = 0; s && e->vm && i < s->n; i++)
		if (strcmp(s->items[i].vm, e->vm) == 0)
			control_send_event(s->items[i].ctl, e);
}
