/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "directflip/protocol.h"

/*
 * The daemon's events (docs/protocol.md, "Events") as a bus: the core
 * emits typed events, and the sinks registered by the wiring (the control
 * socket, the VMs' sockets) render and send them. Nothing here knows a
 * transport or JSON.
 */
struct events;
struct kms_snapshot;
struct vm;

/* One event. Strings are borrowed for the duration of the sink call; NULL
 * ones are left out (focus-changed sends its vm and previous as null). */
struct event {
	enum df_event type;
	int64_t time_us;         /* CLOCK_MONOTONIC when emitted; focus-changed has none */
	const char *vm;
	const char *monitor;
	const char *detail;
	const char *seat;        /* focus-changed only */
	const char *previous;    /* focus-changed only */
};

typedef void (*event_sink_fn)(void *data, const struct event *e);

#define EVENTS_MAX_SINKS 4

struct events *events_create(void);
void events_destroy(struct events *ev);
/* Every event from now on goes to fn as well, in the order sinks were
 * added. -ENOSPC beyond EVENTS_MAX_SINKS. */
int events_add_sink(struct events *ev, event_sink_fn fn, void *data);

/* A no-op when ev is NULL or has no sink, so any part of the daemon may
 * call it at the point where it logs the decision. */
void events_emit(struct events *ev, enum df_event type, const char *vm, const char *monitor,
		 const char *detail);
/* focus-changed: vm and previous NULL for the host. */
void events_emit_focus(struct events *ev, const char *seat, const char *vm, const char *previous);

/* After each reconcile: emits monitor-added/removed for connectors whose
 * status changed in snap (may be NULL: no card), and error when a vm's
 * binding newly cannot be met. The first scan only records. */
void events_scan(struct events *ev, const struct kms_snapshot *snap, struct vm *const *vms,
		 size_t n_vms);
