/* SPDX-License-Identifier: MIT */
#pragma once

struct daemon;
struct events;

/*
 * Events for `subscribe`d control clients (docs/protocol.md, "Events").
 * event is one of monitor-added, monitor-removed, binding-changed,
 * lease-granted, lease-revoked, source-gone, error; vm, monitor and detail may be NULL
 * and are then left out. A no-op when the control socket is not up, so any
 * part of the daemon may call it at the point where it logs the decision.
 */
void events_emit(struct daemon *d, const char *event, const char *vm, const char *monitor,
		 const char *detail);

/* focus-changed: {"seat", "vm", "previous"}, vm and previous null for the host. */
void events_emit_focus(struct daemon *d, const char *seat, const char *vm, const char *previous);

/* What events_scan compares against: connectors seen connected, and each
 * vm's last reason for not being shown. */
struct events *events_create(void);
void events_destroy(struct events *ev);
/* After each reconcile: emits monitor-added/removed for connectors whose
 * status changed, and error when a vm's binding newly cannot be met. The
 * first scan only records. */
void events_scan(struct daemon *d);
