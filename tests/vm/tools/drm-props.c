/* SPDX-License-Identifier: MIT */
/* Test tools only: see drm-props.h. */
#include "drm-props.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

/* The index of name in obj's property list p, or -1. */
static int find(int fd, const drmModeObjectProperties *p, const char *name)
{
	int found = -1;
	for (uint32_t i = 0; p && i < p->count_props && found < 0; i++) {
		drmModePropertyRes *pr = drmModeGetProperty(fd, p->props[i]);
		if (pr && strcmp(pr->name, name) == 0)
			found = (int)i;
		drmModeFreeProperty(pr);
	}
	return found;
}

uint32_t drm_props_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *p = drmModeObjectGetProperties(fd, obj, type);
	int i = find(fd, p, name);
	uint32_t id = i >= 0 ? p->props[i] : 0;
	drmModeFreeObjectProperties(p);
	return id;
}

int drm_props_value(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectProperties *p = drmModeObjectGetProperties(fd, obj, type);
	int i = find(fd, p, name);
	if (i >= 0)
		*value = p->prop_values[i];
	drmModeFreeObjectProperties(p);
	return i >= 0 ? 0 : -ENOENT;
}
