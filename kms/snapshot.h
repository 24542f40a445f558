/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xf86drmMode.h>

#include "kms/edid.h"

/* A plain-data snapshot of one card's KMS objects. It is a value, not a
 * handle: alloc works on it, and unit tests build fixtures of it by hand. */

enum kms_plane_type {
	KMS_PLANE_OVERLAY = 0, /* same values as DRM_PLANE_TYPE_* */
	KMS_PLANE_PRIMARY = 1,
	KMS_PLANE_CURSOR = 2,
};

enum kms_connection {
	KMS_CONNECTED = 1, /* same values as drmModeConnection */
	KMS_DISCONNECTED = 2,
	KMS_CONNECTION_UNKNOWN = 3,
};

struct kms_mode {
	drmModeModeInfo info;
	bool preferred;
};

struct kms_connector {
	uint32_t id;
	char name[32];               /* "Virtual-1", "HDMI-A-1" */
	enum kms_connection connection;
	uint32_t mm_width, mm_height;
	uint32_t possible_crtcs;     /* union over its encoders, by CRTC index */
	uint32_t crtc_id;            /* 0 when not driven */
	struct kms_mode *modes;
	size_t n_modes;
	bool has_edid;
	struct kms_edid_id edid;
};

struct kms_crtc {
	uint32_t id;
	bool active;
	bool mode_valid;
	drmModeModeInfo mode;
};

struct kms_plane {
	uint32_t id;
	enum kms_plane_type type;
	uint32_t possible_crtcs;     /* by CRTC index */
	uint32_t crtc_id;
	uint32_t fb_id;
	uint32_t *formats;
	size_t n_formats;
	bool has_zpos;
	uint64_t zpos;
};

struct kms_snapshot {
	struct kms_crtc *crtcs;      /* index in this array is the CRTC index */
	size_t n_crtcs;
	struct kms_connector *connectors;
	size_t n_connectors;
	struct kms_plane *planes;
	size_t n_planes;
};

/* Needs UNIVERSAL_PLANES set on fd, or primary and cursor planes are missing. */
int kms_snapshot_read(int fd, struct kms_snapshot **out);
/* Property names by id, kept across reads of one card: ids are fixed for
 * the device's life, and looking them up is most of a re-read's ioctls. */
struct kms_prop_names;
struct kms_prop_names *kms_prop_names_create(void);
void kms_prop_names_destroy(struct kms_prop_names *names);
int kms_snapshot_read_with(int fd, struct kms_prop_names *names, struct kms_snapshot **out);
/* Connectors only, in place (a HOTPLUG=1 uevent changes nothing else):
 * those whose ids are in only[n_only], or all when only is NULL. -ESTALE
 * when the set of connectors changed and a whole read is due. */
int kms_snapshot_reread_connectors(int fd, struct kms_prop_names *names, struct kms_snapshot *snap,
				   const uint32_t *only, size_t n_only);
void kms_snapshot_free(struct kms_snapshot *snap);
/* A commit of ours switched crtc_id off, with every plane on it: snap says
 * so without reading the card again (no connector drives it, no plane is
 * on it). */
void kms_snapshot_crtc_off(struct kms_snapshot *snap, uint32_t crtc_id);

const struct kms_connector *kms_snapshot_connector_by_name(const struct kms_snapshot *snap,
							   const char *name);
const struct kms_crtc *kms_snapshot_crtc_by_id(const struct kms_snapshot *snap, uint32_t id,
					       size_t *index);
const struct kms_plane *kms_snapshot_plane_by_id(const struct kms_snapshot *snap, uint32_t id);
bool kms_plane_supports_format(const struct kms_plane *plane, uint32_t format);
const char *kms_plane_type_name(enum kms_plane_type type);
const char *kms_connection_name(enum kms_connection c);
/* The preferred mode, else the first; NULL when there are none. */
const struct kms_mode *kms_connector_preferred_mode(const struct kms_connector *conn);
