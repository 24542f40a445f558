/* SPDX-License-Identifier: MIT */
#include "qemu/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

enum { P_FB, P_CRTC, P_SX, P_SY, P_SW, P_SH, P_CX, P_CY, P_CW, P_CH, P_ROT, P_COUNT };
static const char *const prop_names[P_COUNT] = {
	"FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
	"CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H", "rotation",
};

/* The kernel's rotation bits (drm_mode.h DRM_MODE_ROTATE_0, DRM_MODE_REFLECT_Y). */
#define ROTATE_0 (1u << 0)
#define REFLECT_Y (1u << 5)

struct output {
	struct output_lease l;
	uint32_t primary_props[P_COUNT], cursor_props[P_COUNT];
	uint64_t rotations; /* the primary's supported rotation bits */
	uint32_t cursor_max;
	sd_event_source *io, *timeout;
	bool pending;
	output_flip_fn on_flip;
	void *data;
};

static int resolve(int fd, uint32_t plane, uint32_t ids[P_COUNT], uint64_t *rotations)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	if (!props)
		return -errno;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (!p)
			continue;
		for (int k = 0; k < P_COUNT; k++)
			if (strcmp(p->name, prop_names[k]) == 0)
				ids[k] = p->prop_id;
		if (rotations && strcmp(p->name, "rotation") == 0 && (p->flags & DRM_MODE_PROP_BITMASK))
			for (int e = 0; e < p->count_enums; e++)
				*rotations |= 1ull << p->enums[e].value;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	for (int k = 0; k < P_ROT; k++)
		if (!ids[k])
			return -ENOENT;
	return 0;
}

static void flip_done(struct output *o)
{
	if (!o->pending)
		return;
	o->pending = false;
	sd_event_source_set_enabled(o->timeout, SD_EVENT_OFF);
	o->on_flip(o->data);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct output *o = data;
	/* The lease fd is shared with the daemon: an event of another user's
	 * commit carries that user's pointer, so only ours counts. */
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i + (ssize_t)sizeof(struct drm_event) <= n;) {
		struct drm_event *e = (struct drm_event *)(buf + i);
		if (e->length < sizeof(*e) || i + (ssize_t)e->length > n)
			break;
		if (e->type == DRM_EVENT_FLIP_COMPLETE &&
		    e->length >= sizeof(struct drm_event_vblank)) {
			struct drm_event_vblank *v = (struct drm_event_vblank *)e;
			if (v->user_data == (uint64_t)(uintptr_t)o)
				flip_done(o);
		}
		i += e->length;
	}
	return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *data)
{
	flip_done(data);
	return 0;
}

int output_new(sd_event *ev, const struct output_lease *l, output_flip_fn on_flip, void *data,
	       struct output **out)
{
	struct output *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->l = *l;
	o->on_flip = on_flip;
	o->data = data;
	int r = 0;
	if (drmSetClientCap(l->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) < 0 ||
	    drmSetClientCap(l->fd, DRM_CLIENT_CAP_ATOMIC, 1) < 0)
		r = -errno;
	if (r == 0)
		r = resolve(l->fd, l->primary, o->primary_props, &o->rotations);
	if (r == 0 && l->cursor && resolve(l->fd, l->cursor, o->cursor_props, NULL) < 0)
		o->l.cursor = 0; /* no usable cursor plane: QEMU's cursor is not shown */
	uint64_t cap = 0;
	o->cursor_max = drmGetCap(l->fd, DRM_CAP_CURSOR_WIDTH, &cap) == 0 && cap ? (uint32_t)cap : 64;
	if (r == 0)
		r = sd_event_add_io(ev, &o->io, l->fd, EPOLLIN, on_io, o);
	if (r == 0)
		r = sd_event_add_time_relative(ev, &o->timeout, CLOCK_MONOTONIC, 100000, 1000,
					       on_timeout, o);
	if (r == 0)
		r = sd_event_source_set_enabled(o->timeout, SD_EVENT_OFF);
	if (r < 0) {
		output_free(o);
		return r;
	}
	*out = o;
	return 0;
}

struct output *output_free(struct output *o)
{
	if (!o)
		return NULL;
	sd_event_source_disable_unref(o->io);
	sd_event_source_disable_unref(o->timeout);
	free(o);
	return NULL;
}

bool output_has_reflect_y(const struct output *o)
{
	return o->primary_props[P_ROT] && (o->rotations & REFLECT_Y);
}

uint32_t output_cursor_size(const struct output *o)
{
	return o->l.cursor ? o->cursor_max : 0;
}

bool output_busy(const struct output *o)
{
	return o->pending;
}

static void add_plane(drmModeAtomicReq *req, uint32_t plane, const uint32_t *p, uint32_t crtc,
		      uint32_t fb, const struct kms_rect *src, const struct kms_rect *dst)
{
	drmModeAtomicAddProperty(req, plane, p[P_FB], fb);
	drmModeAtomicAddProperty(req, plane, p[P_CRTC], fb ? crtc : 0);
	if (!fb)
		return;
	drmModeAtomicAddProperty(req, plane, p[P_SX], (uint64_t)src->x << 16);
	drmModeAtomicAddProperty(req, plane, p[P_SY], (uint64_t)src->y << 16);
	drmModeAtomicAddProperty(req, plane, p[P_SW], (uint64_t)src->w << 16);
	drmModeAtomicAddProperty(req, plane, p[P_SH], (uint64_t)src->h << 16);
	drmModeAtomicAddProperty(req, plane, p[P_CX], (uint64_t)(int64_t)dst->x);
	drmModeAtomicAddProperty(req, plane, p[P_CY], (uint64_t)(int64_t)dst->y);
	drmModeAtomicAddProperty(req, plane, p[P_CW], dst->w);
	drmModeAtomicAddProperty(req, plane, p[P_CH], dst->h);
}

static int commit(struct output *o, const struct output_state *s, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	add_plane(req, o->l.primary, o->primary_props, o->l.crtc, s->fb, &s->src, &s->dst);
	if (s->fb && o->primary_props[P_ROT])
		drmModeAtomicAddProperty(req, o->l.primary, o->primary_props[P_ROT],
					 ROTATE_0 | (s->reflect_y ? REFLECT_Y : 0));
	if (o->l.cursor) {
		struct kms_rect csrc = { 0, 0, s->cursor_w, s->cursor_h };
		struct kms_rect cdst = { s->cursor_x, s->cursor_y, s->cursor_w, s->cursor_h };
		add_plane(req, o->l.cursor, o->cursor_props, o->l.crtc, s->cursor_fb, &csrc, &cdst);
	}
	int r = drmModeAtomicCommit(o->l.fd, req, flags, o);
	r = r < 0 ? -errno : 0;
	drmModeAtomicFree(req);
	return r;
}

int output_test(struct output *o, const struct output_state *s)
{
	return commit(o, s, DRM_MODE_ATOMIC_TEST_ONLY);
}

int output_commit(struct output *o, const struct output_state *s)
{
	if (o->pending)
		return -EBUSY;
	int r = commit(o, s, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT);
	if (r < 0)
		return r;
	o->pending = true;
	sd_event_source_set_time_relative(o->timeout, 100000);
	sd_event_source_set_enabled(o->timeout, SD_EVENT_ONESHOT);
	return 0;
}

int output_off(struct output *o)
{
	struct output_state off = { 0 };
	return commit(o, &off, 0);
}
