/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

struct card;
struct control;
struct control_bindings;
struct events;
struct hotplug;
struct input;
struct config;
struct session;
struct udev;
struct vm;
struct vm_sockets;

/* How much of the card the next reconcile re-reads; the largest asked wins. */
enum daemon_reread {
	DAEMON_REREAD_NONE,        /* lessees only (LEASE=1) */
	DAEMON_REREAD_CONNECTORS,  /* HOTPLUG=1 */
	DAEMON_REREAD_ALL,
};

struct daemon_options {
	const char *config_path;
	const char *dropin_dir;
	const char *socket_path;       /* NULL: [daemon] socket=, else the default */
};

/* Everything one directflipd process holds. */
struct daemon {
	sd_event *loop;
	struct udev *udev;
	struct session *session;
	struct card *card;
	struct config *config;
	const char *config_path;
	const char *dropin_dir;
	struct vm **vms;
	size_t n_vms;
	sd_event_source *reconcile_source;
	enum daemon_reread reread;     /* for the scheduled reconcile */
	struct control *control;
	struct vm_sockets *vm_sockets;   /* [vm.NAME] socket=yes */
	struct control_bindings *bindings;
	struct events *events;
	struct hotplug *hotplug;
	struct input *input;
	char input_dir[4096];          /* the VMs' input device links */
};

/* The process exit status. */
int daemon_run(const struct daemon_options *opts);
/* Schedules one reconcile for when the loop is next idle: events only mark
 * and schedule, so a burst of them costs one pass. */
void daemon_schedule_reconcile(struct daemon *d);
/* The same, for an event that changed at most what reread names. */
void daemon_schedule_reconcile_reread(struct daemon *d, enum daemon_reread reread);
/* Reads the layout again and applies it (SIGHUP, the reload method). A
 * layout with errors is rejected whole: -EINVAL, the old one keeps running. */
int daemon_reload(struct daemon *d);
