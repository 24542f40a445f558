/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * directflip-qemu's one object: the VM's lease (qemu/lease.h), QEMU's
 * console and listener (qemu/console.h, qemu/listener.h) and the frame
 * on the leased planes (qemu/surface.h, qemu/dmabuf.h, qemu/cursor.h,
 * qemu/output.h), on one sd-event loop.
 */
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "qemu/console.h"

/* Exit statuses (docs/qemu.md, the man page). */
enum bridge_exit {
	BRIDGE_EXIT_OK = 0,
	BRIDGE_EXIT_FAILURE = 1,
	BRIDGE_EXIT_USAGE = 2,
	BRIDGE_EXIT_NO_DAEMON = 3,
	BRIDGE_EXIT_NO_QEMU = 4,
	BRIDGE_EXIT_NO_VM = 5,
	BRIDGE_EXIT_NOT_OWNER = 6,
	BRIDGE_EXIT_QEMU_GONE = 7,
};

struct bridge_options {
	const char *vm;
	const char *socket;       /* directflipd's; NULL: the default */
	struct console_where where;
	bool reconnect;
};

struct bridge;

/* Logs why and returns an exit status when it cannot start. */
int bridge_new(sd_event *ev, const struct bridge_options *o, struct bridge **out);
struct bridge *bridge_free(struct bridge *b);
