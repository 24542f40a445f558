#pragma once
/* Loading a layout from its files (load.c). */
#include "config/config.h"

/* Reads FILE, then DROPIN_DIR/ *.ini in name order (dropin_dir may be NULL or
 * missing). Every problem is appended to diags with file:line, sorted by
 * file and line; the result is -EINVAL when any of them was an error
 * (items already in diags do not count), -ENOMEM, and then *out is
 * untouched. Warnings alone do not fail. */
int config_load(const char *file, const char *dropin_dir, struct config **out,
		struct config_diags *diags);
/* Same, from memory; `name` is used as the file name in messages ("<string>"
 * when NULL). */
int config_load_string(const char *text, const char *name, struct config **out,
		       struct config_diags *diags);
