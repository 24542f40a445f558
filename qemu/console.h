/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * QEMU's side of one display: the connection that reaches QEMU (its bus
 * with the name org.qemu, an address, or the p2p connection from QMP) and
 * the console object /org/qemu/Display1/Console_N: its size, its size
 * changes (QEMU 7.2 switches to 720x400 text mode with Update bands only,
 * no new Scanout) and SetUIInfo.
 */
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

struct console;

/* w, h: the console's Width/Height after a change. */
typedef void (*console_size_fn)(void *data, uint32_t w, uint32_t h);

struct console_where {
	const char *address;  /* NULL: $DBUS_SESSION_BUS_ADDRESS */
	const char *qmp;      /* QMP socket: p2p; overrides address */
	int index;            /* -1: the first graphic console */
};

/* -ENOENT/-ECONNREFUSED/-ENXIO: no QEMU there (why says what was tried);
 * -ENODEV: no such console. */
int console_new(sd_event *ev, const struct console_where *w, console_size_fn fn, void *data,
		struct console **out, char *why, size_t n);
struct console *console_free(struct console *c);

sd_bus *console_bus(const struct console *c);
const char *console_dest(const struct console *c);    /* NULL on p2p */
const char *console_path(const struct console *c);
/* The console's size now, asked from QEMU (blocking, 1 s at most). */
int console_size(struct console *c, uint32_t *w, uint32_t *h);
/* Tells QEMU the monitor's size (asynchronous; the answer is logged). */
void console_set_ui_info(struct console *c, uint32_t w, uint32_t h);
