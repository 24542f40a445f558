/* SPDX-License-Identifier: MIT */
#include "qemu/pointer.h"

#include <errno.h>
#include <linux/input-event-codes.h>

int pointer_button(uint16_t evdev_code)
{
	switch (evdev_code) {
	case BTN_LEFT:
		return POINTER_LEFT;
	case BTN_MIDDLE:
		return POINTER_MIDDLE;
	case BTN_RIGHT:
		return POINTER_RIGHT;
	case BTN_SIDE:
		return POINTER_SIDE;
	case BTN_EXTRA:
		return POINTER_EXTRA;
	default:
		return -ENOENT;
	}
}

uint32_t pointer_abs_scale(int32_t value, int32_t min, int32_t max, uint32_t size)
{
	if (max <= min || size == 0)
		return 0;
	if (value <= min)
		return 0;
	if (value >= max)
		return size - 1;
	/* Unsigned 64 bits: (2^32 - 1) * (2^32 - 2) still fits. */
	uint64_t span = (uint64_t)((int64_t)max - min);
	uint64_t off = (uint64_t)((int64_t)value - min);
	return (uint32_t)(off * (uint64_t)(size - 1) / span);
}
