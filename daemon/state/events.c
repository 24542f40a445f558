/* SPDX-License-Identifier: MIT */
#include "daemon/state/events.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "daemon/state/vm.h"
#include "kms/snapshot.h"

#define MAX_SEEN 64

struct sink {
	event_sink_fn fn;
	void *data;
};

struct events {
	struct sink sinks[EVENTS_MAX_SINKS];
	size_t n_sinks;
	bool scanned;
	char connected[MAX_SEEN][32];  /* connector names seen connected */
	size_t n_connected;
	char failed[MAX_SEEN][32 + 256]; /* "vm\terror" of vms seen failed */
	size_t n_failed;
};

struct events *events_create(void)
{
	return calloc(1, sizeof(struct events));
}

void events_destroy(struct events *ev)
{
	free(ev);
}

int events_add_sink(struct events *ev, event_sink_fn fn, void *data)
{
	if (!ev || !fn)
		return -EINVAL;
	if (ev->n_sinks == EVENTS_MAX_SINKS)
		return -ENOSPC;
	ev->sinks[ev->n_sinks++] = (struct sink){ fn, data };
	return 0;
}

static void publish(struct events *ev, const struct event *e)
{
	for (size_t i = 0; i < ev->n_sinks; i++)
		ev->sinks[i].fn(ev->sinks[i].data, e);
}

void events_emit(struct events *ev, enum df_event type, const char *vm, const char *monitor,
		 const char *detail)
{
	if (!ev || !ev->n_sinks)
		return;
	/* When it happened, not when the client reads it: lets a client order
	 * events against its own CLOCK_MONOTONIC readings and measure latency. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	struct event e = {
		.type = type,
		.time_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
		.vm = vm,
		.monitor = monitor,
		.detail = detail,
	};
	publish(ev, &e);
}

void events_emit_focus(struct events *ev, const char *seat, const char *vm, const char *previous)
{
	if (!ev || !ev->n_sinks)
		return;
	struct event e = {
		.type = DF_EVENT_FOCUS_CHANGED,
		.time_us = -1,
		.vm = vm,
		.seat = seat,
		.previous = previous,
	};
	publish(ev, &e);
}

static bool listed(char (*list)[32], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static void scan_monitors(struct events *ev, const struct kms_snapshot *snap)
{
	char now[MAX_SEEN][32];
	size_t n = 0;
	for (size_t i = 0; snap && i < snap->n_connectors && n < MAX_SEEN; i++)
		if (snap->connectors[i].connection == KMS_CONNECTED)
			snprintf(now[n++], sizeof(now[0]), "%s", snap->connectors[i].name);
	if (ev->scanned) {
		for (size_t i = 0; i < n; i++)
			if (!listed(ev->connected, ev->n_connected, now[i]))
				events_emit(ev, DF_EVENT_MONITOR_ADDED, NULL, now[i], NULL);
		for (size_t i = 0; i < ev->n_connected; i++)
			if (!listed(now, n, ev->connected[i]))
				events_emit(ev, DF_EVENT_MONITOR_REMOVED, NULL, ev->connected[i], NULL);
	}
	memcpy(ev->connected, now, n * sizeof(now[0]));
	ev->n_connected = n;
}

static void scan_errors(struct events *ev, struct vm *const *vms, size_t n_vms)
{
	char now[MAX_SEEN][32 + 256];
	size_t n = 0;
	for (size_t i = 0; i < n_vms && n < MAX_SEEN; i++) {
		const struct vm *vm = vms[i];
		if (vm->state != VM_FAILED)
			continue;
		snprintf(now[n], sizeof(now[0]), "%s\t%s", vm->name, vm->error);
		bool known = false;
		for (size_t k = 0; k < ev->n_failed && !known; k++)
			known = strcmp(ev->failed[k], now[n]) == 0;
		if (!known)
			events_emit(ev, DF_EVENT_ERROR, vm->name, vm->cfg->monitor, vm->error);
		n++;
	}
	memcpy(ev->failed, now, n * sizeof(now[0]));
	ev->n_failed = n;
}

void events_scan(struct events *ev, const struct kms_snapshot *snap, struct vm *const *vms,
		 size_t n_vms)
{
	if (!ev)
		return;
	scan_monitors(ev, snap);
	scan_errors(ev, vms, n_vms);
	ev->scanned = true;
}
