/* SPDX-License-Identifier: MIT */
#pragma once
/* Writing a drop-in: what `vgpu-assign bind --permanent` leaves in the
 * drop-in directory, in the syntax config_load reads back. */
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct config_binding_dropin {
	const char *vm;
	const char *monitor;
	bool define_monitor;            /* also [monitor.MONITOR] connector = MONITOR */
	bool has_planes;
	unsigned planes;
	const struct config_mode *mode; /* NULL or unset: not written */
	bool has_scaling;
	enum config_scaling scaling;
	unsigned uid;                   /* who asked, for the file's header */
};

/* Writes DIR/90-vgpu-assign-VM.ini through a .tmp file renamed into place,
 * creating DIR if it is missing; path gets the file's name. On failure a
 * negative errno, and failed names what could not be made: DIR (*dir_failed)
 * or the file. */
int config_dropin_write_binding(const char *dir, const struct config_binding_dropin *b,
				char *path, size_t path_size, char *failed, size_t failed_size,
				bool *dir_failed);
