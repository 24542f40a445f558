/* SPDX-License-Identifier: MIT */
/* Where a seat's libinput events go: keys through the focus (hotkeys, held
 * keys) to the focused VM's uinput device, pointer motion and wheels to it
 * or across the desktop of monitors; a focus change grabs the seat's
 * devices for a VM (or lets them go to the host) and tells the listener. */
#include "daemon/input/route.h"

#include <errno.h>
#include <linux/input.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "daemon/input/seat.h"
#include "daemon/input/uinput.h"
#include "daemon/log.h"

static void on_emit(void *data, int vm, uint16_t code, bool pressed)
{
	struct seat *s = data;
	int r = uinput_vm_key(s->vms[vm], code, pressed);
	if (r < 0)
		log_debug("vm=%s: key %u not forwarded: %s", uinput_vm_name(s->vms[vm]), code,
			  strerror(-r));
}

static void on_focus_changed(void *data, int from, int to)
{
	struct seat *s = data;
	for (size_t i = 0; i < s->n_opened; i++)
		ioctl(s->opened[i].fd, EVIOCGRAB, to != FOCUS_HOST);
	/* A hotkey takes the pointer along, or the next motion would undo it. */
	if (s->follows && to != FOCUS_HOST && !s->pointer_moved)
		desktop_warp_to_vm(&s->desktop, to);
	const char *vm = to == FOCUS_HOST ? NULL : uinput_vm_name(s->vms[to]);
	const char *prev = from == FOCUS_HOST ? NULL : uinput_vm_name(s->vms[from]);
	if (s->in->quiet)
		return;
	log_info("seat=%s focus=%s previous=%s", s->name, vm ? vm : "host", prev ? prev : "host");
	if (s->in->listener && s->in->listener->focus_changed)
		s->in->listener->focus_changed(s->in->data, s->name, vm, prev);
}

const struct focus_ops route_focus_ops = {
	.emit = on_emit,
	.changed = on_focus_changed,
};

/* ---- events ---- */

static struct uinput_vm *focused(struct seat *s)
{
	focus_flush(s->focus);
	int vm = focus_current(s->focus);
	return vm == FOCUS_HOST ? NULL : s->vms[vm];
}

static void on_motion(struct seat *s, struct libinput_event_pointer *p)
{
	/* Unaccelerated: the guest applies its own acceleration. */
	double rx = libinput_event_pointer_get_dx_unaccelerated(p);
	double ry = libinput_event_pointer_get_dy_unaccelerated(p);
	if (s->follows && focus_current(s->focus) != FOCUS_HOST) {
		int under = desktop_move(&s->desktop, rx, ry);
		if (under >= 0 && under != focus_current(s->focus)) {
			s->pointer_moved = true;
			focus_set(s->focus, under);
			s->pointer_moved = false;
		}
	}
	struct uinput_vm *u = focused(s);
	if (!u)
		return;
	double dx = rx + s->motion_rest[0];
	double dy = ry + s->motion_rest[1];
	double ix = trunc(dx), iy = trunc(dy);
	s->motion_rest[0] = dx - ix;
	s->motion_rest[1] = dy - iy;
	uinput_vm_motion(u, (int32_t)ix, (int32_t)iy);
}

static void on_wheel(struct seat *s, struct libinput_event_pointer *p)
{
	struct uinput_vm *u = focused(s);
	if (!u)
		return;
	/* libinput counts down and right as positive, evdev up and right. */
	if (libinput_event_pointer_has_axis(p, LIBINPUT_POINTER_AXIS_SCROLL_VERTICAL))
		uinput_vm_wheel(u, -(int32_t)libinput_event_pointer_get_scroll_value_v120(
					   p, LIBINPUT_POINTER_AXIS_SCROLL_VERTICAL), false);
	if (libinput_event_pointer_has_axis(p, LIBINPUT_POINTER_AXIS_SCROLL_HORIZONTAL))
		uinput_vm_wheel(u, (int32_t)libinput_event_pointer_get_scroll_value_v120(
					  p, LIBINPUT_POINTER_AXIS_SCROLL_HORIZONTAL), true);
}

static void handle(struct seat *s, struct libinput_event *ev)
{
	switch (libinput_event_get_type(ev)) {
	case LIBINPUT_EVENT_DEVICE_ADDED:
	case LIBINPUT_EVENT_DEVICE_REMOVED: {
		struct libinput_device *dev = libinput_event_get_device(ev);
		log_info("seat=%s device %s: %s",  s->name,
			 libinput_event_get_type(ev) == LIBINPUT_EVENT_DEVICE_ADDED ? "added"
											: "removed",
			 libinput_device_get_name(dev));
		break;
	}
	case LIBINPUT_EVENT_KEYBOARD_KEY: {
		struct libinput_event_keyboard *k = libinput_event_get_keyboard_event(ev);
		uint32_t key = libinput_event_keyboard_get_key(k);
		if (key <= UINT16_MAX)
			focus_key(s->focus, (uint16_t)key,
				  libinput_event_keyboard_get_key_state(k) == LIBINPUT_KEY_STATE_PRESSED);
		break;
	}
	case LIBINPUT_EVENT_POINTER_BUTTON: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);
		uint32_t b = libinput_event_pointer_get_button(p);
		focus_flush(s->focus);
		if (b <= UINT16_MAX)
			focus_key(s->focus, (uint16_t)b,
				  libinput_event_pointer_get_button_state(p) ==
					  LIBINPUT_BUTTON_STATE_PRESSED);
		break;
	}
	case LIBINPUT_EVENT_POINTER_MOTION:
		on_motion(s, libinput_event_get_pointer_event(ev));
		break;
	case LIBINPUT_EVENT_POINTER_MOTION_ABSOLUTE: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);
		struct uinput_vm *u = focused(s);
		if (u)
			uinput_vm_absolute(
				u,
				(int32_t)libinput_event_pointer_get_absolute_x_transformed(p, UINPUT_ABS_MAX),
				(int32_t)libinput_event_pointer_get_absolute_y_transformed(p, UINPUT_ABS_MAX));
		break;
	}
	case LIBINPUT_EVENT_POINTER_SCROLL_WHEEL:
		on_wheel(s, libinput_event_get_pointer_event(ev));
		break;
	default:
		break;
	}
}

int route_on_libinput(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct seat *s = data;
	int r = libinput_dispatch(s->li);
	if (r < 0)
		log_errno(r, "seat=%s: libinput dispatch failed", s->name);
	struct libinput_event *ev;
	while ((ev = libinput_get_event(s->li))) {
		handle(s, ev);
		libinput_event_destroy(ev);
	}
	return 0;
}
