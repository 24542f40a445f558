/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A seat as input.c (its devices and VMs) and route.c (where its events
 * go) share it. Private to daemon/input/.
 */
#include <libinput.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config/config.h"
#include "daemon/input/desktop.h"
#include "daemon/input/focus.h"
#include "daemon/input/input.h"

#define MAX_DEVICES 64  /* physical devices per seat: a property match can catch many */

struct phys {
	char *devnode;
	struct libinput_device *dev;
};

struct opened {
	int fd;
	int device_id;
};

struct seat {
	struct input *in;
	char *name;
	char **matches;
	size_t n_matches;
	struct uinput_vm **vms;
	size_t n_vms;
	struct focus *focus;
	struct libinput *li;
	sd_event_source *io;
	struct phys devices[MAX_DEVICES];
	size_t n_devices;
	struct opened opened[MAX_DEVICES];
	size_t n_opened;
	double motion_rest[2];  /* sub-unit motion carried to the next event */
	bool follows;           /* focus-follows-pointer */
	bool pointer_moved;     /* the focus change comes from the pointer: no warp */
	struct desktop desktop;
};

struct input {
	struct session *session;
	struct udev *udev;
	struct udev_monitor *mon;
	sd_event_source *mon_io;
	struct seat *seats;
	size_t n_seats;
	const struct input_listener *listener;
	void *data;
	bool quiet;   /* tearing down: no focus events */
	bool suspended;  /* the seat is away: no device may be opened */
};
