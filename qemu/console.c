/* SPDX-License-Identifier: MIT */
#include "qemu/console.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/log.h"
#include "qemu/qmp.h"

#define IFACE "org.qemu.Display1.Console"
#define CALL_USEC 1000000

struct console {
	sd_bus *bus;
	const char *dest;
	char path[64];
	console_size_fn fn;
	void *data;
	uint32_t w, h;
	sd_bus_slot *changed, *ui_info;
	uint32_t ui_w, ui_h;
	unsigned ui_tries;
};

static int get_u32(struct console *c, const char *prop, uint32_t *v)
{
	sd_bus_message *reply = NULL;
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(c->bus, &m, c->dest, c->path,
					       "org.freedesktop.DBus.Properties", "Get");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", IFACE, prop);
	if (r >= 0)
		r = sd_bus_call(c->bus, m, CALL_USEC, NULL, &reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "v", "u", v);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

int console_size(struct console *c, uint32_t *w, uint32_t *h)
{
	int r = get_u32(c, "Width", w);
	return r < 0 ? r : get_u32(c, "Height", h);
}

static int on_changed(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct console *c = ud;
	const char *iface;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, IFACE) != 0)
		return 0;
	uint32_t w = c->w, h = c->h;
	if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		const char *name;
		uint32_t v;
		if (sd_bus_message_read(m, "s", &name) < 0)
			return 0;
		if ((strcmp(name, "Width") == 0 || strcmp(name, "Height") == 0) &&
		    sd_bus_message_read(m, "v", "u", &v) >= 0)
			*(name[0] == 'W' ? &w : &h) = v;
		else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	if (w != c->w || h != c->h) {
		c->w = w;
		c->h = h;
		c->fn(c->data, w, h);
	}
	return 0;
}

static int open_bus(const struct console_where *wh, sd_bus **out, const char **dest, char *why,
		    size_t n)
{
	sd_bus *b = NULL;
	int r = sd_bus_new(&b);
	if (r < 0)
		return r;
	if (wh->qmp) {
		int fd = -1;
		r = qmp_dbus_p2p(wh->qmp, &fd, why, n);
		if (r >= 0) {
			r = sd_bus_set_fd(b, fd, fd);
			if (r < 0)
				close(fd);
		}
		*dest = NULL;
	} else {
		const char *a = wh->address ? wh->address : getenv("DBUS_SESSION_BUS_ADDRESS");
		if (!a) {
			snprintf(why, n, "no --address and no $DBUS_SESSION_BUS_ADDRESS: where is QEMU's bus?");
			sd_bus_unref(b);
			return -ENXIO;
		}
		r = sd_bus_set_address(b, a);
		if (r >= 0)
			r = sd_bus_set_bus_client(b, 1);
		if (r < 0)
			snprintf(why, n, "bad D-Bus address '%s'", a);
		*dest = "org.qemu";
	}
	if (r >= 0)
		r = sd_bus_negotiate_fds(b, 1);
	if (r >= 0) {
		r = sd_bus_start(b);
		if (r < 0 && wh->qmp)
			snprintf(why, n, "cannot connect to QEMU's p2p display (%s): %s", wh->qmp,
				 strerror(-r));
		else if (r < 0)
			snprintf(why, n, "cannot connect to the D-Bus bus %s: %s",
				 wh->address ? wh->address : getenv("DBUS_SESSION_BUS_ADDRESS"),
				 strerror(-r));
	}
	if (r < 0) {
		sd_bus_unref(b);
		return r;
	}
	*out = b;
	return 0;
}

/* The first console whose Type is Graphic, from the VM's ConsoleIDs. */
static int first_graphic(struct console *c, char *why, size_t n)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r = sd_bus_get_property(c->bus, c->dest, "/org/qemu/Display1/VM", "org.qemu.Display1.VM",
				    "ConsoleIDs", &e, &reply, "au");
	if (r < 0) {
		snprintf(why, n, "QEMU's display is not there (org.qemu.Display1.VM: %s)",
			 e.message ? e.message : strerror(-r));
		bool unknown = e.name && strcmp(e.name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0;
		sd_bus_error_free(&e);
		return unknown ? -ENOENT : r;
	}
	const uint32_t *ids = NULL;
	size_t len = 0;
	r = sd_bus_message_read_array(reply, 'u', (const void **)&ids, &len);
	for (size_t i = 0; r >= 0 && i < len / sizeof(uint32_t); i++) {
		snprintf(c->path, sizeof(c->path), "/org/qemu/Display1/Console_%u", ids[i]);
		char *type = NULL;
		if (sd_bus_get_property_string(c->bus, c->dest, c->path, IFACE, "Type", NULL, &type) >= 0 &&
		    strcmp(type, "Graphic") == 0) {
			free(type);
			sd_bus_message_unref(reply);
			return 0;
		}
		free(type);
	}
	sd_bus_message_unref(reply);
	snprintf(why, n, "QEMU has no graphic console");
	return -ENODEV;
}

int console_new(sd_event *ev, const struct console_where *wh, console_size_fn fn, void *data,
		struct console **out, char *why, size_t n)
{
	struct console *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->data = data;
	int r = open_bus(wh, &c->bus, &c->dest, why, n);
	if (r >= 0 && c->dest) {
		/* No owner of org.qemu: no QEMU on that bus (yet). */
		sd_bus_error e = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		int has = 0;
		r = sd_bus_call_method(c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				       "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s", c->dest);
		if (r >= 0)
			r = sd_bus_message_read(reply, "b", &has);
		sd_bus_message_unref(reply);
		sd_bus_error_free(&e);
		if (r >= 0 && !has) {
			snprintf(why, n, "no QEMU on the bus: nobody owns the name org.qemu "
				 "(QEMU runs with -display dbus?)");
			r = -ENOENT;
		}
	}
	if (r >= 0 && wh->index >= 0) {
		snprintf(c->path, sizeof(c->path), "/org/qemu/Display1/Console_%d", wh->index);
		char *type = NULL;
		r = sd_bus_get_property_string(c->bus, c->dest, c->path, IFACE, "Type", NULL, &type);
		if (r < 0)
			snprintf(why, n, "QEMU has no console %d (/org/qemu/Display1/Console_%d)",
				 wh->index, wh->index);
		free(type);
		r = r < 0 ? -ENODEV : 0;
	} else if (r >= 0) {
		r = first_graphic(c, why, n);
	}
	if (r >= 0 && console_size(c, &c->w, &c->h) < 0)
		c->w = c->h = 0;
	if (r >= 0)
		r = sd_bus_match_signal(c->bus, &c->changed, c->dest, c->path,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_changed, c);
	if (r >= 0)
		r = sd_bus_attach_event(c->bus, ev, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0) {
		console_free(c);
		return r;
	}
	*out = c;
	return 0;
}

struct console *console_free(struct console *c)
{
	if (!c)
		return NULL;
	sd_bus_slot_unref(c->changed);
	sd_bus_slot_unref(c->ui_info);
	if (c->bus) {
		sd_bus_detach_event(c->bus);
		sd_bus_close_unref(c->bus);
	}
	free(c);
	return NULL;
}

sd_bus *console_bus(const struct console *c)
{
	return c->bus;
}

const char *console_dest(const struct console *c)
{
	return c->dest;
}

const char *console_path(const struct console *c)
{
	return c->path;
}

static void send_ui_info(struct console *c);

static int on_ui_info(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct console *c = ud;
	c->ui_info = sd_bus_slot_unref(c->ui_info);
	const sd_bus_error *err = sd_bus_message_get_error(m);
	if (!err)
		log_line("action=ui-info-taken: the guest may use the monitor's mode");
	else if (strcmp(err->name, SD_BUS_ERROR_NO_REPLY) == 0 && c->ui_tries < 2) {
		/* Seen once right after RegisterListener under emulation. */
		log_line("action=ui-info-retry why=\"%s\"", err->message ? err->message : err->name);
		c->ui_tries++;
		send_ui_info(c);
		return 0;
	} else if (strcmp(err->name, "org.qemu.Display1.Error.Unsupported") == 0)
		log_line("action=ui-info-unsupported: this display device (e.g. VGA) keeps its own "
			 "size");
	else
		log_line("action=ui-info-refused why=\"%s\"", err->message ? err->message : err->name);
	return 0;
}

static void send_ui_info(struct console *c)
{
	c->ui_info = sd_bus_slot_unref(c->ui_info);
	int r = sd_bus_call_method_async(c->bus, &c->ui_info, c->dest, c->path, IFACE, "SetUIInfo",
					 on_ui_info, c, "qqiiuu", 0, 0, 0, 0, c->ui_w, c->ui_h);
	if (r < 0)
		log_line("action=ui-info-failed why=\"%s\"", strerror(-r));
	else
		log_line("action=ui-info size=%ux%u", c->ui_w, c->ui_h);
}

void console_set_ui_info(struct console *c, uint32_t w, uint32_t h)
{
	c->ui_tries = 1;
	c->ui_w = w;
	c->ui_h = h;
	send_ui_info(c);
}
