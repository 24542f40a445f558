/* SPDX-License-Identifier: MIT */
#include "daemon/state/events.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "daemon/session/card.h"
#include "daemon/control/server.h"
#include "daemon/daemon.h"
#include "daemon/state/vm.h"
#include "daemon/control/vm-sockets.h"

#define MAX_SEEN 64

struct events {
	bool scanned;
	char connected[MAX_SEEN][32];  /* connector names seen connected */
	size_t n_connected;
	char failed[MAX_SEEN][32 + 256]; /* "vm\terror" of vms seen failed */
	size_t n_failed;
};

void events_emit(struct daemon *d, const char *event, const char *vm, const char *monitor,
		 const char *detail)
{
	if (!d || (!d->control && !d->vm_sockets))
		return;
	struct json_object *f = json_object_new_object();
	if (!f)
		return;
	/* When it happened, not when the client reads it: lets a client order
	 * events against its own CLOCK_MONOTONIC readings and measure latency. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	json_object_object_add(f, "time_us", json_object_new_int64((int64_t)ts.tv_sec * 1000000 +
								     ts.tv_nsec / 1000));
	if (vm)
		json_object_object_add(f, "vm", json_object_new_string(vm));
	if (monitor)
		json_object_object_add(f, "monitor", json_object_new_string(monitor));
	if (detail)
		json_object_object_add(f, "detail", json_object_new_string(detail));
	control_broadcast(d->control, event, f);
	vm_sockets_broadcast(d->vm_sockets, vm, event, f);
	json_object_put(f);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void events_emit_focus(struct daemon *d, const char *seat, const char *vm, const char *previous)
{
	if (!d || !d->control)
		return;
	struct json_object *f = json_object_new_object();
	if (!f)
		return;
	json_object_object_add(f, "seat", json_object_new_string(seat));
	json_object_object_add(f, "vm", str_or_null(vm));
	json_object_object_add(f, "previous", str_or_null(previous));
	control_broadcast(d->control, "focus-changed", f);
	json_object_put(f);
}

struct events *events_create(void)
{
	return calloc(1, sizeof(struct events));
}

void events_destroy(struct events *ev)
{
	free(ev);
}

static bool listed(char (*list)[32], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static void scan_monitors(struct daemon *d, struct events *ev)
{
	char now[MAX_SEEN][32];
	size_t n = 0;
	const struct kms_snapshot *snap = d->card ? d->card->snap : NULL;
	for (size_t i = 0; snap && i < snap->n_connectors && n < MAX_SEEN; i++)
		if (snap->connectors[i].connection == KMS_CONNECTED)
			snprintf(now[n++], sizeof(now[0]), "%s", snap->connectors[i].name);
	if (ev->scanned) {
		for (size_t i = 0; i < n; i++)
			if (!listed(ev->connected, ev->n_connected, now[i]))
				events_emit(d, "monitor-added", NULL, now[i], NULL);
		for (size_t i = 0; i < ev->n_connected; i++)
			if (!listed(now, n, ev->connected[i]))
				events_emit(d, "monitor-removed", NULL, ev->connected[i], NULL);
	}
	memcpy(ev->connected, now, n * sizeof(now[0]));
	ev->n_connected = n;
}

static void scan_errors(struct daemon *d, struct events *ev)
{
	char now[MAX_SEEN][32 + 256];
	size_t n = 0;
	for (size_t i = 0; i < d->n_vms && n < MAX_SEEN; i++) {
		const struct vm *vm = d->vms[i];
		if (vm->state != VM_FAILED)
			continue;
		snprintf(now[n], sizeof(now[0]), "%s\t%s", vm->name, vm->error);
		bool known = false;
		for (size_t k = 0; k < ev->n_failed && !known; k++)
			known = strcmp(ev->failed[k], now[n]) == 0;
		if (!known)
			events_emit(d, "error", vm->name, vm->cfg->monitor, vm->error);
		n++;
	}
	memcpy(ev->failed, now, n * sizeof(now[0]));
	ev->n_failed = n;
}

void events_scan(struct daemon *d)
{
	struct events *ev = d->events;
	if (!ev)
		return;
	scan_monitors(d, ev);
	scan_errors(d, ev);
	ev->scanned = true;
}
