/* SPDX-License-Identifier: MIT */
#pragma once
/* The pure half of the pointer path to QEMU: evdev buttons to QEMU's button
 * numbers, and a tablet's absolute axis to console pixels. */
#include <stdint.h>

/* org.qemu.Display1.Mouse button numbers (QEMU's InputButton). */
enum pointer_button {
	POINTER_LEFT = 0,
	POINTER_MIDDLE = 1,
	POINTER_RIGHT = 2,
	POINTER_WHEEL_UP = 3,
	POINTER_WHEEL_DOWN = 4,
	POINTER_SIDE = 5,
	POINTER_EXTRA = 6,
};

/* BTN_LEFT..BTN_EXTRA to a button number; -ENOENT for any other code. */
int pointer_button(uint16_t evdev_code);
/* value on the axis min..max to a pixel 0..size-1, clamped; 0 when the
 * range or the size is empty. */
uint32_t pointer_abs_scale(int32_t value, int32_t min, int32_t max, uint32_t size);
