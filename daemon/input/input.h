/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "daemon/input/uinput.h"

struct config;
struct session;
struct udev;

/*
 * The seats' input: physical devices opened through the session (libseat)
 * and read with libinput on the daemon's loop, one libinput context per
 * seat; devices come and go with udev. Each VM with input= gets virtual
 * devices (uinput.h), and the seat's focus (focus.h) says which VM its
 * events go to.
 */
struct input;

struct input_listener {
	/* vm and previous are NULL for the host. */
	void (*focus_changed)(void *data, const char *seat, const char *vm, const char *previous);
};

/* Seats without VMs are left alone. The VMs' virtual devices of `old`
 * (may be NULL) are taken over by name, so that a reload does not pull
 * them from under the VMMs; `old` is then only fit for input_destroy. */
int input_create(sd_event *loop, struct udev *udev, struct session *session,
		 const struct config *cfg, const char *link_dir, struct input *old,
		 const struct input_listener *listener, void *data, struct input **out);
/* Releases every key still down on a VM. NULL is fine. */
void input_destroy(struct input *in);

/* The libseat session went away (VT switch): close every device, since the
 * seat manager revokes them, and release whatever keys were down on the
 * VMs. The focus and the VMs' virtual devices stay. */
void input_suspend(struct input *in);
/* The session is back: opens the seats' devices again. */
int input_resume(struct input *in);
size_t input_seat_count(const struct input *in);
const char *input_seat_name(const struct input *in, size_t i);
/* NULL: the host has the seat's input. */
const char *input_seat_focus(const struct input *in, size_t i);
/* The VM's virtual devices, NULL when it has none. */
const struct uinput_vm *input_vm_devices(const struct input *in, const char *vm,
					 const char **seat, bool *focused);
