/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The seat's input for one VM, sent to QEMU over its D-Bus display. It reads
 * the VM's virtual devices that directflipd feeds (INPUT_DIR/VM-keyboard,
 * -pointer, -tablet) and calls org.qemu.Display1.Keyboard and .Mouse on the
 * console object. A device that is missing or goes away is retried every
 * second; QEMU never blocks the loop (async calls, a bounded number in
 * flight: past it, reading pauses and the kernel's queue holds the rest).
 */
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

struct input;

/* bus: the connection that reaches QEMU's console object; dest: "org.qemu" on a
 * bus, NULL on a p2p connection; console_path: "/org/qemu/Display1/Console_N".
 * -errno (-ENOMEM, or a name too long for a path); devices that cannot be
 * opened yet are not an error. */
int input_new(sd_event *ev, sd_bus *bus, const char *dest, const char *console_path,
	      const char *input_dir, const char *vm, struct input **out);
/* The console's size, for absolute motion. */
void input_set_size(struct input *in, uint32_t width, uint32_t height);
/* Releases in QEMU the keys and buttons still held. NULL-safe, returns NULL. */
struct input *input_free(struct input *in);
