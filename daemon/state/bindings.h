/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/*
 * Runtime bindings: what `vgpu-assign bind/unbind/map` changed on top of
 * the loaded layout. They are desired state like the config, so they are
 * applied to every config the daemon loads (start, reload) and kept as
 * JSON in a state file (default /run/directflip/state.json) so that they
 * survive a daemon restart but not a reboot.
 */

/* One VM's changes; a field applies only when its has_ flag is set. */
struct control_binding {
	char *vm;
	bool has_monitor;
	char *monitor;             /* monitor NAME or connector name; NULL = unbound */
	bool has_planes;
	unsigned planes;
	bool has_mode;
	struct config_mode mode;
	bool has_scaling;
	enum config_scaling scaling;
	char *sources[CONFIG_MAX_PLANES]; /* NULL = as configured */
};

struct control_bindings;

/* The file name in config_where of what a runtime binding added. */
#define CONTROL_BINDINGS_WHERE "(vgpu-assign)"

/* A missing file is an empty set; a malformed one is -EINVAL with err set
 * (the daemon then starts without it rather than refusing to start). */
int control_bindings_load(const char *path, struct control_bindings **out, char *err,
			  size_t errlen);
void control_bindings_free(struct control_bindings *b);
const char *control_bindings_path(const struct control_bindings *b);
size_t control_bindings_count(const struct control_bindings *b);
const struct control_binding *control_bindings_at(const struct control_bindings *b, size_t i);
const struct control_binding *control_bindings_find(const struct control_bindings *b,
						    const char *vm);
/* Replaces vm's entry with a deep copy of *bd (bd->vm names it). */
int control_bindings_set(struct control_bindings *b, const struct control_binding *bd);
void control_bindings_forget(struct control_bindings *b, const char *vm);
/* Written to a temporary file and renamed, mode 0600. */
int control_bindings_save(const struct control_bindings *b);

/* Deep copy / release of one entry. */
int control_binding_copy(const struct control_binding *from, struct control_binding *to);
void control_binding_clear(struct control_binding *bd);

/* Applies bd to the vm entry of cfg. A monitor that is not a [monitor.NAME]
 * of cfg is taken as a connector name and gets an entry of its own. Only
 * -ENOMEM and -E2BIG (too many monitors), and then cfg is unchanged. */
int control_binding_apply(const struct control_binding *bd, struct config *cfg,
			  struct config_vm *vm);
/* Every entry whose vm is in cfg. A bound entry whose vm is not there adds
 * that vm (bind on an empty layout); *n_missing counts the other entries
 * whose vm is missing. -E2BIG past CONFIG_MAX_VMS. */
int control_bindings_apply(const struct control_bindings *b, struct config *cfg,
			   size_t *n_missing);
