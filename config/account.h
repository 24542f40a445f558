/* SPDX-License-Identifier: MIT */
#pragma once
#include <sys/types.h>

/* Users and groups named in a config: a name known to this system (NSS),
 * or a decimal id. 0, -ENOENT when there is no such name, -ERANGE for an
 * id out of range, or another negative errno from the lookup. */
int config_lookup_uid(const char *text, uid_t *out);
int config_lookup_gid(const char *text, gid_t *out);
