/* SPDX-License-Identifier: MIT */
#include "kms/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>

/* Property ids are per device, shared by every object of a kind: one
 * GetProperty per id and read, not one per object (hotplug latency). */
#define NAME_CACHE_MAX 128
struct kms_prop_names {
	uint32_t ids[NAME_CACHE_MAX];
	char names[NAME_CACHE_MAX][DRM_PROP_NAME_LEN];
	size_t n;
};

static const char *prop_name(int fd, struct kms_prop_names *nc, uint32_t id)
{
	for (size_t i = 0; i < nc->n; i++)
		if (nc->ids[i] == id)
			return nc->names[i];
	drmModePropertyRes *p = drmModeGetProperty(fd, id);
	if (!p)
		return NULL;
	size_t slot = nc->n < NAME_CACHE_MAX ? nc->n++ : NAME_CACHE_MAX - 1;
	nc->ids[slot] = id;
	snprintf(nc->names[slot], sizeof(nc->names[slot]), "%s", p->name);
	drmModeFreeProperty(p);
	return nc->names[slot];
}

static bool get_prop(int fd, struct kms_prop_names *nc, drmModeObjectProperties *props,
		     const char *name, uint64_t *value)
{
	for (uint32_t i = 0; i < props->count_props; i++) {
		const char *n = prop_name(fd, nc, props->props[i]);
		if (n && strcmp(n, name) == 0) {
			*value = props->prop_values[i];
			return true;
		}
	}
	return false;
}

static void read_edid(int fd, struct kms_prop_names *nc, uint32_t conn_id, struct kms_connector *out)
{
	drmModeObjectProperties *props =
		drmModeObjectGetProperties(fd, conn_id, DRM_MODE_OBJECT_CONNECTOR);
	if (!props)
		return;
	uint64_t blob_id = 0;
	if (get_prop(fd, nc, props, "EDID", &blob_id) && blob_id != 0) {
		drmModePropertyBlobRes *blob = drmModeGetPropertyBlob(fd, (uint32_t)blob_id);
		if (blob) {
			out->has_edid = kms_edid_parse(blob->data, blob->length, &out->edid) == 0;
			drmModeFreePropertyBlob(blob);
		}
	}
	drmModeFreeObjectProperties(props);
}

static int read_connector(int fd, struct kms_prop_names *nc, uint32_t id, struct kms_connector *out)
{
	drmModeConnector *c = drmModeGetConnector(fd, id);
	if (!c)
		return -errno;

	out->id = c->connector_id;
	const char *type = drmModeGetConnectorTypeName(c->connector_type);
	snprintf(out->name, sizeof(out->name), "%s-%u", type ? type : "Unknown",
		 c->connector_type_id);
	out->connection = (enum kms_connection)c->connection;
	out->mm_width = c->mmWidth;
	out->mm_height = c->mmHeight;

	for (int i = 0; i < c->count_encoders; i++) {
		drmModeEncoder *e = drmModeGetEncoder(fd, c->encoders[i]);
		if (!e)
			continue;
		out->possible_crtcs |= e->possible_crtcs;
		if (e->encoder_id == c->encoder_id)
			out->crtc_id = e->crtc_id;
		drmModeFreeEncoder(e);
	}

	int r = 0;
	if (c->count_modes > 0) {
		out->modes = calloc((size_t)c->count_modes, sizeof(*out->modes));
		if (!out->modes) {
			r = -ENOMEM;
			goto out_free;
		}
		for (int i = 0; i < c->count_modes; i++) {
			out->modes[i].info = c->modes[i];
			out->modes[i].preferred = c->modes[i].type & DRM_MODE_TYPE_PREFERRED;
		}
		out->n_modes = (size_t)c->count_modes;
	}
	read_edid(fd, nc, id, out);
out_free:
	drmModeFreeConnector(c);
	return r;
}

static int read_plane(int fd, struct kms_prop_names *nc, uint32_t id, struct kms_plane *out)
{
	drmModePlane *p = drmModeGetPlane(fd, id);
	if (!p)
		return -errno;
	out->id = p->plane_id;
	out->possible_crtcs = p->possible_crtcs;
	out->crtc_id = p->crtc_id;
	out->fb_id = p->fb_id;
	int r = 0;
	if (p->count_formats > 0) {
		out->formats = calloc(p->count_formats, sizeof(uint32_t));
		if (!out->formats) {
			r = -ENOMEM;
			goto out_free;
		}
		memcpy(out->formats, p->formats, p->count_formats * sizeof(uint32_t));
		out->n_formats = p->count_formats;
	}

	out->type = KMS_PLANE_OVERLAY;
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, id, DRM_MODE_OBJECT_PLANE);
	if (props) {
		uint64_t v;
		if (get_prop(fd, nc, props, "type", &v))
			out->type = (enum kms_plane_type)v;
		if (get_prop(fd, nc, props, "zpos", &v)) {
			out->has_zpos = true;
			out->zpos = v;
		}
		drmModeFreeObjectProperties(props);
	}
out_free:
	drmModeFreePlane(p);
	return r;
}

struct kms_prop_names *kms_prop_names_create(void)
{
	return calloc(1, sizeof(struct kms_prop_names));
}

void kms_prop_names_destroy(struct kms_prop_names *names)
{
	free(names);
}

int kms_snapshot_read(int fd, struct kms_snapshot **out)
{
	struct kms_prop_names *nc = kms_prop_names_create();
	if (!nc)
		return -ENOMEM;
	int r = kms_snapshot_read_with(fd, nc, out);
	kms_prop_names_destroy(nc);
	return r;
}

int kms_snapshot_read_with(int fd, struct kms_prop_names *nc, struct kms_snapshot **out)
{
	int r;
	drmModeRes *res = drmModeGetResources(fd);
	if (!res)
		return errno ? -errno : -EIO;
	drmModePlaneRes *pres = drmModeGetPlaneResources(fd);
	if (!pres) {
		r = errno ? -errno : -EIO;
		goto out_res;
	}

	struct kms_snapshot *snap = calloc(1, sizeof(*snap));
	if (!snap) {
		r = -ENOMEM;
		goto out_snap;
	}
	snap->crtcs = calloc((size_t)res->count_crtcs + 1, sizeof(*snap->crtcs));
	snap->connectors = calloc((size_t)res->count_connectors + 1, sizeof(*snap->connectors));
	snap->planes = calloc((size_t)pres->count_planes + 1, sizeof(*snap->planes));
	if (!snap->crtcs || !snap->connectors || !snap->planes) {
		r = -ENOMEM;
		goto out_snap;
	}

	for (int i = 0; i < res->count_crtcs; i++) {
		drmModeCrtc *c = drmModeGetCrtc(fd, res->crtcs[i]);
		if (!c) {
			r = -errno;
			goto out_snap;
		}
		struct kms_crtc *k = &snap->crtcs[snap->n_crtcs++];
		k->id = c->crtc_id;
		k->mode_valid = c->mode_valid;
		k->mode = c->mode;
		k->active = c->mode_valid;
		drmModeFreeCrtc(c);
	}
	for (int i = 0; i < res->count_connectors; i++) {
		r = read_connector(fd, nc, res->connectors[i], &snap->connectors[snap->n_connectors]);
		if (r < 0)
			goto out_snap;
		snap->n_connectors++;
	}
	for (uint32_t i = 0; i < pres->count_planes; i++) {
		r = read_plane(fd, nc, pres->planes[i], &snap->planes[snap->n_planes]);
		if (r < 0)
			goto out_snap;
		snap->n_planes++;
	}

	*out = snap;
	snap = NULL;
	r = 0;
out_snap:
	kms_snapshot_free(snap);
	drmModeFreePlaneResources(pres);
out_res:
	drmModeFreeResources(res);
	return r;
}

void kms_snapshot_free(struct kms_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->n_connectors; i++)
		free(snap->connectors[i].modes);
	for (size_t i = 0; i < snap->n_planes; i++)
		free(snap->planes[i].formats);
	free(snap->crtcs);
	free(snap->connectors);
	free(snap->planes);
	free(snap);
}

void kms_snapshot_crtc_off(struct kms_snapshot *snap, uint32_t crtc_id)
{
	if (!snap || !crtc_id)
		return;
	for (size_t i = 0; i < snap->n_crtcs; i++) {
		if (snap->crtcs[i].id != crtc_id)
			continue;
		snap->crtcs[i].active = false;
		snap->crtcs[i].mode_valid = false;
		memset(&snap->crtcs[i].mode, 0, sizeof(snap->crtcs[i].mode));
	}
	for (size_t i = 0; i < snap->n_connectors; i++)
		if (snap->connectors[i].crtc_id == crtc_id)
			snap->connectors[i].crtc_id = 0;
	for (size_t i = 0; i < snap->n_planes; i++) {
		if (snap->planes[i].crtc_id != crtc_id)
			continue;
		snap->planes[i].crtc_id = 0;
		snap->planes[i].fb_id = 0;
	}
}

const struct kms_connector *kms_snapshot_connector_by_name(const struct kms_snapshot *snap,
							   const char *name)
{
	for (size_t i = 0; i < snap->n_connectors; i++)
		if (strcmp(snap->connectors[i].name, name) == 0)
			return &snap->connectors[i];
	return NULL;
}

const struct kms_crtc *kms_snapshot_crtc_by_id(const struct kms_snapshot *snap, uint32_t id,
					       size_t *index)
{
	for (size_t i = 0; i < snap->n_crtcs; i++) {
		if (snap->crtcs[i].id == id) {
			if (index)
				*index = i;
			return &snap->crtcs[i];
		}
	}
	return NULL;
}

const struct kms_plane *kms_snapshot_plane_by_id(const struct kms_snapshot *snap, uint32_t id)
{
	for (size_t i = 0; i < snap->n_planes; i++)
		if (snap->planes[i].id == id)
			return &snap->planes[i];
	return NULL;
}

bool kms_plane_supports_format(const struct kms_plane *plane, uint32_t format)
{
	for (size_t i = 0; i < plane->n_formats; i++)
		if (plane->formats[i] == format)
			return true;
	return false;
}

const char *kms_plane_type_name(enum kms_plane_type type)
{
	switch (type) {
	case KMS_PLANE_PRIMARY:
		return "primary";
	case KMS_PLANE_CURSOR:
		return "cursor";
	case KMS_PLANE_OVERLAY:
		return "overlay";
	}
	return "unknown";
}

const char *kms_connection_name(enum kms_connection c)
{
	switch (c) {
	case KMS_CONNECTED:
		return "connected";
	case KMS_DISCONNECTED:
		return "disconnected";
	case KMS_CONNECTION_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

const struct kms_mode *kms_connector_preferred_mode(const struct kms_connector *conn)
{
	for (size_t i = 0; i < conn->n_modes; i++)
		if (conn->modes[i].preferred)
			return &conn->modes[i];
	return conn->n_modes > 0 ? &conn->modes[0] : NULL;
}

static bool listed(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int kms_snapshot_reread_connectors(int fd, struct kms_prop_names *nc, struct kms_snapshot *snap,
				   const uint32_t *only, size_t n_only)
{
	drmModeRes *res = drmModeGetResources(fd);
	if (!res)
		return errno ? -errno : -EIO;
	/* A connector that came or went (MST) needs a whole re-read. */
	int r = (size_t)res->count_connectors == snap->n_connectors ? 0 : -ESTALE;
	for (size_t i = 0; r == 0 && i < snap->n_connectors; i++)
		if (res->connectors[i] != snap->connectors[i].id)
			r = -ESTALE;
	drmModeFreeResources(res);
	if (r < 0)
		return r;
	/* Every connector read is a probe (drmModeGetConnector, not
	 * ...Current): virtio-gpu sends HOTPLUG=1 without detecting, and a
	 * connector's status changes only when the master probes it. Reading
	 * the kernel's last view instead left an unplugged monitor
	 * "connected" for good (tried).
	 * All or nothing: read into a copy, then swap; a connector not read
	 * moves over as it is. */
	const size_t n = snap->n_connectors;
	struct kms_connector *fresh = calloc(n + 1, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	bool *read = calloc(n + 1, sizeof(*read));
	if (!read) {
		free(fresh);
		return -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		read[i] = !only || listed(only, n_only, snap->connectors[i].id);
		if (read[i])
			r = read_connector(fd, nc, snap->connectors[i].id, &fresh[i]);
		else
			fresh[i] = snap->connectors[i];
	}
	struct kms_connector *drop = r == 0 ? snap->connectors : fresh;
	if (r == 0)
		snap->connectors = fresh;
	for (size_t i = 0; i < n; i++)
		if (read[i])
			free(drop[i].modes);
	free(read);
	free(drop);
	return r;
}
