/* SPDX-License-Identifier: MIT */
#include "qemu/listener.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define MAP_IFACE "org.qemu.Display1.Listener.Unix.Map"

struct listener {
	sd_bus *p2p;
	sd_bus_slot *register_call;
	const struct listener_ops *ops;
	void *data;
	sd_bus_message *held;  /* the UpdateDMABUF not answered yet */
	bool closed;
};

static void closed(struct listener *l, const char *why)
{
	if (l->closed)
		return;
	l->closed = true;
	l->ops->closed(l->data, why);
}

static int read_array(sd_bus_message *m, const uint8_t **data, size_t *len)
{
	const void *p = NULL;
	int r = sd_bus_message_read_array(m, 'y', &p, len);
	*data = p;
	return r;
}

static int m_scanout(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	uint32_t w, h, stride, fmt;
	const uint8_t *data;
	size_t len;
	int r = sd_bus_message_read(m, "uuuu", &w, &h, &stride, &fmt);
	if (r >= 0)
		r = read_array(m, &data, &len);
	if (r < 0)
		return r;
	l->ops->scanout(l->data, w, h, stride, fmt, data, len);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_update(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int32_t x, y, w, h;
	uint32_t stride, fmt;
	const uint8_t *data;
	size_t len;
	int r = sd_bus_message_read(m, "iiiiuu", &x, &y, &w, &h, &stride, &fmt);
	if (r >= 0)
		r = read_array(m, &data, &len);
	if (r < 0)
		return r;
	l->ops->update(l->data, x, y, w, h, stride, fmt, data, len);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_scanout_dmabuf(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int fd;
	uint32_t w, h, stride, fourcc;
	uint64_t modifier;
	int y0_top;
	int r = sd_bus_message_read(m, "huuuutb", &fd, &w, &h, &stride, &fourcc, &modifier, &y0_top);
	if (r < 0)
		return r;
	l->ops->scanout_dmabuf(l->data, fd, w, h, stride, fourcc, modifier, y0_top != 0);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_update_dmabuf(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int32_t x, y, w, h;
	int r = sd_bus_message_read(m, "iiii", &x, &y, &w, &h);
	if (r < 0)
		return r;
	/* One held at a time: QEMU waits for each answer, so a second one
	 * before it is a peer that does not; the older is answered now. */
	listener_ack_update_dmabuf(l);
	l->held = sd_bus_message_ref(m);
	l->ops->update_dmabuf(l->data, x, y, w, h);
	return 1;
}

static int m_scanout_map(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int fd;
	uint32_t offset, w, h, stride, fmt;
	int r = sd_bus_message_read(m, "huuuuu", &fd, &offset, &w, &h, &stride, &fmt);
	if (r < 0)
		return r;
	l->ops->scanout_map(l->data, fd, offset, w, h, stride, fmt);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_update_map(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int32_t x, y, w, h;
	int r = sd_bus_message_read(m, "iiii", &x, &y, &w, &h);
	if (r < 0)
		return r;
	l->ops->update_map(l->data, x, y, w, h);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_disable(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int r = sd_bus_reply_method_return(m, NULL);
	l->ops->disable(l->data);
	return r;
}

static int m_mouse_set(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int32_t x, y, on;
	int r = sd_bus_message_read(m, "iii", &x, &y, &on);
	if (r < 0)
		return r;
	l->ops->mouse_set(l->data, x, y, on);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_cursor_define(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	int32_t w, h, hx, hy;
	const uint8_t *data;
	size_t len;
	int r = sd_bus_message_read(m, "iiii", &w, &h, &hx, &hy);
	if (r >= 0)
		r = read_array(m, &data, &len);
	if (r < 0)
		return r;
	l->ops->cursor_define(l->data, w, h, hx, hy, data, len);
	return sd_bus_reply_method_return(m, NULL);
}

static int get_interfaces(sd_bus *bus, const char *path, const char *iface, const char *prop,
			  sd_bus_message *reply, void *ud, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "as", 1, MAP_IFACE);
}

static const sd_bus_vtable listener_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Scanout", "uuuuay", "", m_scanout, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Update", "iiiiuuay", "", m_update, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ScanoutDMABUF", "huuuutb", "", m_scanout_dmabuf, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("UpdateDMABUF", "iiii", "", m_update_dmabuf, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Disable", "", "", m_disable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("MouseSet", "iii", "", m_mouse_set, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CursorDefine", "iiiiay", "", m_cursor_define, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Interfaces", "as", get_interfaces, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable map_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ScanoutMap", "huuuuu", "", m_scanout_map, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("UpdateMap", "iiii", "", m_update_map, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static int on_disconnected(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	closed(ud, "QEMU closed the listener connection");
	return 0;
}

static int on_registered(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct listener *l = ud;
	l->register_call = sd_bus_slot_unref(l->register_call);
	const sd_bus_error *err = sd_bus_message_get_error(m);
	if (err)
		closed(l, err->message ? err->message : err->name);
	else
		l->ops->registered(l->data);
	return 0;
}

int listener_new(sd_event *ev, sd_bus *bus, const char *dest, const char *console_path,
		 const struct listener_ops *ops, void *data, struct listener **out)
{
	struct listener *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ops = ops;
	l->data = data;
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		free(l);
		return -errno;
	}
	int r = sd_bus_new(&l->p2p);
	if (r >= 0)
		r = sd_bus_set_fd(l->p2p, pair[0], pair[0]);
	if (r >= 0)
		pair[0] = -1; /* the bus's now */
	if (r >= 0)
		r = sd_bus_negotiate_fds(l->p2p, 1);
	if (r >= 0)
		r = sd_bus_add_object_vtable(l->p2p, NULL, LISTENER_PATH,
					     "org.qemu.Display1.Listener", listener_vtable, l);
	if (r >= 0)
		r = sd_bus_add_object_vtable(l->p2p, NULL, LISTENER_PATH, MAP_IFACE, map_vtable, l);
	if (r >= 0)
		r = sd_bus_match_signal(l->p2p, NULL, NULL, "/org/freedesktop/DBus/Local",
					"org.freedesktop.DBus.Local", "Disconnected",
					on_disconnected, l);
	if (r >= 0)
		r = sd_bus_start(l->p2p);
	if (r >= 0)
		r = sd_bus_attach_event(l->p2p, ev, SD_EVENT_PRIORITY_NORMAL);
	/* QEMU blocks in this call until our side has authenticated, which
	 * the loop does once we return to it: so no waiting for the reply. */
	if (r >= 0)
		r = sd_bus_call_method_async(bus, &l->register_call, dest, console_path,
					     "org.qemu.Display1.Console", "RegisterListener",
					     on_registered, l, "h", pair[1]);
	if (pair[0] >= 0)
		close(pair[0]);
	close(pair[1]);
	if (r < 0) {
		listener_free(l);
		return r;
	}
	*out = l;
	return 0;
}

struct listener *listener_free(struct listener *l)
{
	if (!l)
		return NULL;
	listener_ack_update_dmabuf(l);
	sd_bus_slot_unref(l->register_call);
	if (l->p2p) {
		sd_bus_detach_event(l->p2p);
		sd_bus_close_unref(l->p2p);
	}
	free(l);
	return NULL;
}

bool listener_ack_update_dmabuf(struct listener *l)
{
	if (!l->held)
		return false;
	sd_bus_reply_method_return(l->held, NULL);
	l->held = sd_bus_message_unref(l->held);
	return true;
}
