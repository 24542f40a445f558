/* SPDX-License-Identifier: MIT */
/*
 * A fake QEMU console, a simulation: it serves org.qemu.Display1.Keyboard
 * and .Mouse on one end of a p2p D-Bus connection, and runs directflip-qemu's
 * input half (qemu/input.c) on the other end, in one sd-event loop. Each call
 * that arrives is printed on stdout, one line each:
 *   Keyboard.Press 0x2c   Mouse.Release 2   Mouse.RelMotion 5 -3
 *   Mouse.SetAbsPosition 359 399
 * --relative-mouse refuses SetAbsPosition as QEMU 7.2 does while its guest
 * mouse is relative. The console is 720x400. SIGTERM ends it.
 *
 * usage: qemu-input-peer [--relative-mouse] INPUT_DIR VM
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#include "qemu/input.h"

#define CONSOLE "/org/qemu/Display1/Console_0"

static bool relative_mouse;

static int reply_u(sd_bus_message *m, const char *what)
{
	uint32_t v;
	int r = sd_bus_message_read(m, "u", &v);
	if (r < 0)
		return r;
	printf("%s 0x%02x\n", what, v);
	fflush(stdout);
	return sd_bus_reply_method_return(m, "");
}

static int kbd_press(sd_bus_message *m, void *d, sd_bus_error *e)
{
	return reply_u(m, "Keyboard.Press");
}

static int kbd_release(sd_bus_message *m, void *d, sd_bus_error *e)
{
	return reply_u(m, "Keyboard.Release");
}

static int mouse_button(sd_bus_message *m, const char *what)
{
	uint32_t b;
	int r = sd_bus_message_read(m, "u", &b);
	if (r < 0)
		return r;
	printf("%s %u\n", what, b);
	fflush(stdout);
	return sd_bus_reply_method_return(m, "");
}

static int mouse_press(sd_bus_message *m, void *d, sd_bus_error *e)
{
	return mouse_button(m, "Mouse.Press");
}

static int mouse_release(sd_bus_message *m, void *d, sd_bus_error *e)
{
	return mouse_button(m, "Mouse.Release");
}

static int mouse_abs(sd_bus_message *m, void *d, sd_bus_error *e)
{
	uint32_t x, y;
	int r = sd_bus_message_read(m, "uu", &x, &y);
	if (r < 0)
		return r;
	printf("Mouse.SetAbsPosition %u %u%s\n", x, y, relative_mouse ? " (refused)" : "");
	fflush(stdout);
	if (relative_mouse)
		return sd_bus_reply_method_errorf(m, "org.qemu.Display1.Error.Invalid",
						  "Mouse is not absolute");
	return sd_bus_reply_method_return(m, "");
}

static int mouse_rel(sd_bus_message *m, void *d, sd_bus_error *e)
{
	int32_t dx, dy;
	int r = sd_bus_message_read(m, "ii", &dx, &dy);
	if (r < 0)
		return r;
	printf("Mouse.RelMotion %d %d\n", dx, dy);
	fflush(stdout);
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable keyboard_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", kbd_press, 0),
	SD_BUS_METHOD("Release", "u", "", kbd_release, 0),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable mouse_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", mouse_press, 0),
	SD_BUS_METHOD("Release", "u", "", mouse_release, 0),
	SD_BUS_METHOD("SetAbsPosition", "uu", "", mouse_abs, 0),
	SD_BUS_METHOD("RelMotion", "ii", "", mouse_rel, 0),
	SD_BUS_VTABLE_END,
};

static int fail(const char *what, int r)
{
	fprintf(stderr, "qemu-input-peer: %s: %s\n", what, strerror(-r));
	return 1;
}

int main(int argc, char **argv)
{
	int a = 1;
	if (argc > 1 && strcmp(argv[1], "--relative-mouse") == 0) {
		relative_mouse = true;
		a++;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: qemu-input-peer [--relative-mouse] INPUT_DIR VM\n");
		return 2;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return fail("socketpair", -errno);
	sd_event *ev = NULL;
	sd_bus *server = NULL, *client = NULL;
	sd_id128_t id;
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	int r = sd_event_new(&ev);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGINT, NULL, NULL);
	if (r < 0)
		return fail("event loop", r);
	/* QEMU's end: the server of the p2p connection. */
	r = sd_id128_randomize(&id);
	if (r >= 0)
		r = sd_bus_new(&server);
	if (r >= 0)
		r = sd_bus_set_fd(server, sv[0], sv[0]);
	if (r >= 0)
		r = sd_bus_set_server(server, 1, id);
	if (r >= 0)
		r = sd_bus_add_object_vtable(server, NULL, CONSOLE, "org.qemu.Display1.Keyboard",
					     keyboard_vtable, NULL);
	if (r >= 0)
		r = sd_bus_add_object_vtable(server, NULL, CONSOLE, "org.qemu.Display1.Mouse",
					     mouse_vtable, NULL);
	if (r >= 0)
		r = sd_bus_start(server);
	if (r >= 0)
		r = sd_bus_attach_event(server, ev, 0);
	if (r < 0)
		return fail("the console's end of the connection", r);
	/* The bridge's end. */
	r = sd_bus_new(&client);
	if (r >= 0)
		r = sd_bus_set_fd(client, sv[1], sv[1]);
	if (r >= 0)
		r = sd_bus_start(client);
	if (r >= 0)
		r = sd_bus_attach_event(client, ev, 0);
	if (r < 0)
		return fail("the bridge's end of the connection", r);
	struct input *in = NULL;
	r = input_new(ev, client, NULL, CONSOLE, argv[a], argv[a + 1], &in);
	if (r < 0)
		return fail("input_new", r);
	input_set_size(in, 720, 400);
	fprintf(stderr, "qemu-input-peer: serving %s (720x400%s)\n", CONSOLE,
		relative_mouse ? ", relative mouse" : "");
	r = sd_event_loop(ev);
	input_free(in);
	sd_bus_flush_close_unref(client);
	sd_bus_flush_close_unref(server);
	sd_event_unref(ev);
	return r < 0 ? fail("event loop", r) : 0;
}
