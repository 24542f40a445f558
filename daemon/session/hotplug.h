/* SPDX-License-Identifier: MIT */
#pragma once
#include <systemd/sd-event.h>

struct udev;

/* udev's drm events on the daemon's loop. Each event only reports what
 * happened; the daemon marks and schedules one reconcile per burst. */
struct hotplug;

enum hotplug_kind {
	HOTPLUG_CHANGE,     /* a synthetic change, or one we do not know */
	HOTPLUG_CONNECTORS, /* HOTPLUG=1: connector status */
	HOTPLUG_LEASE,      /* LEASE=1 alone: a lease came or went */
	HOTPLUG_ADD,
	HOTPLUG_REMOVE,
};

typedef void (*hotplug_fn)(void *data, enum hotplug_kind kind, const char *devnode);

int hotplug_create(sd_event *loop, struct udev *udev, hotplug_fn fn, void *data,
		   struct hotplug **out);
void hotplug_destroy(struct hotplug *h);
