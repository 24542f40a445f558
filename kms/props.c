/* SPDX-License-Identifier: MIT */
#include "kms/props.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drmMode.h>

struct prop_name {
	enum kms_prop prop;
	uint32_t obj_type;
	const char *name;
};

static const struct prop_name prop_names[] = {
	{ KMS_PROP_CONN_CRTC_ID, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID" },
	{ KMS_PROP_CRTC_ACTIVE, DRM_MODE_OBJECT_CRTC, "ACTIVE" },
	{ KMS_PROP_CRTC_MODE_ID, DRM_MODE_OBJECT_CRTC, "MODE_ID" },
	{ KMS_PROP_CRTC_GAMMA_LUT, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT" },
	{ KMS_PROP_CRTC_DEGAMMA_LUT, DRM_MODE_OBJECT_CRTC, "DEGAMMA_LUT" },
	{ KMS_PROP_CRTC_CTM, DRM_MODE_OBJECT_CRTC, "CTM" },
	{ KMS_PROP_CRTC_VRR_ENABLED, DRM_MODE_OBJECT_CRTC, "VRR_ENABLED" },
	{ KMS_PROP_PLANE_FB_ID, DRM_MODE_OBJECT_PLANE, "FB_ID" },
	{ KMS_PROP_PLANE_CRTC_ID, DRM_MODE_OBJECT_PLANE, "CRTC_ID" },
	{ KMS_PROP_PLANE_SRC_X, DRM_MODE_OBJECT_PLANE, "SRC_X" },
	{ KMS_PROP_PLANE_SRC_Y, DRM_MODE_OBJECT_PLANE, "SRC_Y" },
	{ KMS_PROP_PLANE_SRC_W, DRM_MODE_OBJECT_PLANE, "SRC_W" },
	{ KMS_PROP_PLANE_SRC_H, DRM_MODE_OBJECT_PLANE, "SRC_H" },
	{ KMS_PROP_PLANE_CRTC_X, DRM_MODE_OBJECT_PLANE, "CRTC_X" },
	{ KMS_PROP_PLANE_CRTC_Y, DRM_MODE_OBJECT_PLANE, "CRTC_Y" },
	{ KMS_PROP_PLANE_CRTC_W, DRM_MODE_OBJECT_PLANE, "CRTC_W" },
	{ KMS_PROP_PLANE_CRTC_H, DRM_MODE_OBJECT_PLANE, "CRTC_H" },
	{ KMS_PROP_PLANE_ZPOS, DRM_MODE_OBJECT_PLANE, "zpos" },
};

struct obj_props {
	uint32_t obj_id;
	uint32_t ids[KMS_PROP_COUNT];
};

struct kms_props {
	struct obj_props *objs;
	size_t n;
};

static int resolve(int fd, uint32_t obj_id, uint32_t obj_type, struct obj_props *out)
{
	out->obj_id = obj_id;
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj_id, obj_type);
	if (!props)
		return errno ? -errno : -ENOENT;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (!p)
			continue;
		for (size_t k = 0; k < sizeof(prop_names) / sizeof(prop_names[0]); k++)
			if (prop_names[k].obj_type == obj_type && strcmp(prop_names[k].name, p->name) == 0)
				out->ids[prop_names[k].prop] = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return 0;
}

int kms_props_create(int fd, const struct kms_snapshot *snap, struct kms_props **out)
{
	struct kms_props *props = calloc(1, sizeof(*props));
	size_t total = snap->n_connectors + snap->n_crtcs + snap->n_planes;
	if (!props)
		return -ENOMEM;
	props->objs = calloc(total + 1, sizeof(*props->objs));
	if (!props->objs) {
		free(props);
		return -ENOMEM;
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < snap->n_connectors; i++)
		r = resolve(fd, snap->connectors[i].id, DRM_MODE_OBJECT_CONNECTOR, &props->objs[props->n++]);
	for (size_t i = 0; r == 0 && i < snap->n_crtcs; i++)
		r = resolve(fd, snap->crtcs[i].id, DRM_MODE_OBJECT_CRTC, &props->objs[props->n++]);
	for (size_t i = 0; r == 0 && i < snap->n_planes; i++)
		r = resolve(fd, snap->planes[i].id, DRM_MODE_OBJECT_PLANE, &props->objs[props->n++]);
	if (r < 0) {
		kms_props_destroy(props);
		return r;
	}
	*out = props;
	return 0;
}

void kms_props_destroy(struct kms_props *props)
{
	if (!props)
		return;
	free(props->objs);
	free(props);
}

uint32_t kms_props_id(const struct kms_props *props, uint32_t obj_id, enum kms_prop prop)
{
	for (size_t i = 0; i < props->n; i++)
		if (props->objs[i].obj_id == obj_id)
			return props->objs[i].ids[prop];
	return 0;
}

bool kms_props_covers(const struct kms_props *props, const struct kms_snapshot *snap)
{
	if (!props || props->n != snap->n_connectors + snap->n_crtcs + snap->n_planes)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < snap->n_connectors; i++)
		if (props->objs[k++].obj_id != snap->connectors[i].id)
			return false;
	for (size_t i = 0; i < snap->n_crtcs; i++)
		if (props->objs[k++].obj_id != snap->crtcs[i].id)
			return false;
	for (size_t i = 0; i < snap->n_planes; i++)
		if (props->objs[k++].obj_id != snap->planes[i].id)
			return false;
	return true;
}
