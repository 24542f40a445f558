/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/hotkey.h"

/*
 * Which VM of a seat gets its keys and pointer, and the hotkeys that move
 * it. Pure: key events in, forwarded key events and focus changes out
 * through callbacks, so that it is tested without devices.
 *
 * Modifier presses are held back while hotkeys exist: only the next key
 * tells whether they start a hotkey (then no VM sees them) or belong to
 * the VM (then they are sent first, in front of that key). Every key is
 * released where it was pressed, and a focus change releases on the old
 * VM whatever is still down there, so no key stays stuck.
 */
struct focus;

#define FOCUS_HOST (-1)   /* input stays with the host: nothing is forwarded */

enum focus_action {
	FOCUS_NEXT,
	FOCUS_PREV,
	FOCUS_RELEASE,
	FOCUS_TO_VM,
};

struct focus_ops {
	/* A key or button event for VM index vm. */
	void (*emit)(void *data, int vm, uint16_t code, bool pressed);
	/* After the releases on the old VM went out. */
	void (*changed)(void *data, int from, int to);
};

/* n_vms VMs, indexed 0..n_vms-1; focus starts on VM 0 (the host when there
 * are none). NULL on allocation failure. */
struct focus *focus_create(size_t n_vms, const struct focus_ops *ops, void *data);
void focus_destroy(struct focus *f);
/* -EINVAL for a vm out of range, -EEXIST for keys already taken,
 * -ENOSPC past FOCUS_MAX_HOTKEYS. */
#define FOCUS_MAX_HOTKEYS 80
int focus_add_hotkey(struct focus *f, const struct config_hotkey *keys, enum focus_action action,
		     int vm);
int focus_current(const struct focus *f);
/* One key or button from the seat, after the device's own processing. */
void focus_key(struct focus *f, uint16_t code, bool pressed);
/* Before any other event (motion, wheel): held-back modifiers go to the
 * focused VM, so that ctrl+click reaches it as such. */
void focus_flush(struct focus *f);
/* Moves the focus (FOCUS_HOST or a VM index), releasing keys on the old VM. */
void focus_set(struct focus *f, int vm);
/* The seat goes away (libseat disable): every key still down is released
 * where it went, and held-back modifiers are dropped; their later releases
 * reach no VM. The focus stays. */
void focus_release_all(struct focus *f);
