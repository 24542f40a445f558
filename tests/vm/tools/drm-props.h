/* SPDX-License-Identifier: MIT */
/*
 * KMS object properties by name, for the test tools' DRM clients (not
 * for per-frame paths: each call reads the object's whole list).
 */
#ifndef DF_TESTS_DRM_PROPS_H
#define DF_TESTS_DRM_PROPS_H

#include <stdint.h>

/* The id of obj's (of DRM_MODE_OBJECT_type) property name, or 0 when it
 * has none. */
uint32_t drm_props_id(int fd, uint32_t obj, uint32_t type, const char *name);

/* Its value; -ENOENT, leaving *value alone, when obj has no such property. */
int drm_props_value(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value);

#endif
