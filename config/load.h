/* SPDX-License-Identifier: MIT */
#pragma once
/* Loading a layout from its files (load.c). */
#include <stdbool.h>

#include "config/config.h"

/* Reads FILE, then DROPIN_DIR/ *.ini in name order (dropin_dir may be NULL or
 * missing). Every problem is appended to diags with file:line, sorted by
 * file and line; the result is -EINVAL when any of them was an error
 * (items already in diags do not count), -ENOMEM, and then *out is
 * untouched. Warnings alone do not fail. */
int config_load(const char *file, const char *dropin_dir, struct config **out,
		struct config_diags *diags);
/* Same, but a FILE that does not exist is an empty layout (drop-ins still
 * apply), and *missing says so: the daemon's fresh start. */
int config_load_optional(const char *file, const char *dropin_dir, struct config **out,
			 struct config_diags *diags, bool *missing);
/* Same, from memory; `name` is used as the file name in messages ("<string>"
 * when NULL). */
int config_load_string(const char *text, const char *name, struct config **out,
		       struct config_diags *diags);
