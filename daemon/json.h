/* SPDX-License-Identifier: MIT */
#pragma once
/* JSON renderings shared by the control methods and `directflipd --probe`. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xf86drmMode.h>

struct json_object;
struct kms_connector;
struct vm;

/* A string, or JSON null for NULL. */
struct json_object *json_str_or_null(const char *s);
/* {"name", "width", "height", "refresh", "preferred"} */
struct json_object *json_mode(const drmModeModeInfo *m, bool preferred);
struct json_object *json_ids(const uint32_t *ids, size_t n);
/* {"vendor", "product", "serial", "name"}, or NULL (JSON null) without an EDID. */
struct json_object *json_edid(const struct kms_connector *c);
/* What get-lease, take-lease and list-leases say about vm's lease. */
struct json_object *json_lease(const struct vm *vm);
