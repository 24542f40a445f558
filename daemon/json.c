/* SPDX-License-Identifier: MIT */
/* JSON renderings shared by the control methods and `directflipd --probe`. */
#include "daemon/json.h"

#include <json-c/json.h>

#include "daemon/state/vm.h"
#include "kms/snapshot.h"

struct json_object *json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *json_mode(const drmModeModeInfo *m, bool preferred)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "width", json_object_new_int(m->hdisplay));
	json_object_object_add(o, "height", json_object_new_int(m->vdisplay));
	json_object_object_add(o, "refresh", json_object_new_int((int)m->vrefresh));
	json_object_object_add(o, "preferred", json_object_new_boolean(preferred));
	return o;
}

struct json_object *json_edid(const struct kms_connector *c)
{
	if (!c->has_edid)
		return NULL;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "vendor", json_object_new_string(c->edid.vendor));
	json_object_object_add(o, "product", json_object_new_int(c->edid.product));
	json_object_object_add(o, "serial", json_object_new_int64(c->edid.serial));
	json_object_object_add(o, "name", json_object_new_string(c->edid.name));
	return o;
}

struct json_object *json_ids(const uint32_t *ids, size_t n)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(ids[i]));
	return a;
}

struct json_object *json_lease(const struct vm *vm)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "vm", json_object_new_string(vm->name));
	json_object_object_add(o, "monitor", json_str_or_null(vm->cfg->monitor));
	json_object_object_add(o, "connector", json_object_new_string(vm->conn_name));
	json_object_object_add(o, "crtc", json_object_new_int64(vm->alloc.crtc_id));
	json_object_object_add(o, "planes", json_ids(vm->alloc.planes, vm->alloc.n_planes));
	json_object_object_add(o, "cursor", json_object_new_int64(vm->alloc.cursor_plane_id));
	json_object_object_add(o, "lessee", json_object_new_int64(vm->lessee_id));
	json_object_object_add(o, "mode", json_mode(&vm->mode, false));
	/* A lessee that draws the VM's planes itself (directflip-qemu) places
	 * its frames the way the layout says. */
	json_object_object_add(o, "scaling",
			       json_object_new_string(config_scaling_name(vm->cfg->scaling)));
	json_object_object_add(o, "on_vm_exit",
			       json_object_new_string(vm->cfg->on_vm_exit == CONFIG_ON_VM_EXIT_BLACK
							      ? "black" : "keep"));
	return o;
}
