/* SPDX-License-Identifier: MIT */
#include "daemon/session/hotplug.h"

#include <errno.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

struct hotplug {
	struct udev_monitor *mon;
	sd_event_source *io;
	hotplug_fn fn;
	void *data;
};

static int on_udev(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct hotplug *h = data;
	struct udev_device *dev;
	/* Drain everything queued: one burst, one callback per event, and the
	 * daemon's reconcile runs once after them. */
	while ((dev = udev_monitor_receive_device(h->mon))) {
		const char *sysname = udev_device_get_sysname(dev);
		const char *action = udev_device_get_action(dev);
		const char *devnode = udev_device_get_devnode(dev);
		/* Only cards: cardN, not cardN-CONNECTOR nor renderD*. */
		if (sysname && action && devnode && strncmp(sysname, "card", 4) == 0 &&
		    !strchr(sysname, '-')) {
			enum hotplug_kind kind = HOTPLUG_CHANGE;
			if (strcmp(action, "add") == 0)
				kind = HOTPLUG_ADD;
			else if (strcmp(action, "remove") == 0)
				kind = HOTPLUG_REMOVE;
			const char *lease = udev_device_get_property_value(dev, "LEASE");
			const char *hp = udev_device_get_property_value(dev, "HOTPLUG");
			if (kind == HOTPLUG_CHANGE && hp && strcmp(hp, "1") == 0)
				kind = HOTPLUG_CONNECTORS;
			else if (kind == HOTPLUG_CHANGE && lease && strcmp(lease, "1") == 0)
				kind = HOTPLUG_LEASE;
			log_debug("udev: %s %s%s%s", action, devnode, lease ? " LEASE=1" : "",
				  hp ? " HOTPLUG=1" : "");
			h->fn(h->data, kind, devnode);
		}
		udev_device_unref(dev);
	}
	return 0;
}

int hotplug_create(sd_event *loop, struct udev *udev, hotplug_fn fn, void *data,
		   struct hotplug **out)
{
	struct hotplug *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->data = data;
	int r = -ENOMEM;
	h->mon = udev_monitor_new_from_netlink(udev, "udev");
	if (!h->mon)
		goto fail;
	r = udev_monitor_filter_add_match_subsystem_devtype(h->mon, "drm", NULL);
	if (r >= 0)
		r = udev_monitor_enable_receiving(h->mon);
	if (r >= 0)
		r = sd_event_add_io(loop, &h->io, udev_monitor_get_fd(h->mon), EPOLLIN, on_udev, h);
	if (r < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	hotplug_destroy(h);
	return r;
}

void hotplug_destroy(struct hotplug *h)
{
	if (!h)
		return;
	sd_event_source_disable_unref(h->io);
	udev_monitor_unref(h->mon);
	free(h);
}
