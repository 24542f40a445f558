/* SPDX-License-Identifier: MIT */
/* vfio:PATH[#MDEV]: a mediated vGPU's VFIO device (PATH, its device node;
 * MDEV, its mdev sysfs directory, by default /sys/dev/char/MAJ:MIN/device
 * of the node), asked for its primary plane with
 * VFIO_DEVICE_QUERY_GFX_PLANE, in the first form it admits to
 * (docs/sources.md):
 * (a) the "DRM plane type" (GVT-g direct flip v1's QEMU branch, not
 *     upstream, daemon/source/nonupstream.h): the answer is a host
 *     framebuffer id, mapped as it is, asked again only when the device fd
 *     signals POLLPRI: no work per guest frame;
 * (b) dma-buf planes with MDEV/enable_direct_flip (GVT-g direct flip v2,
 *     not upstream): the plane's dma-buf is imported and shown once, then
 *     1 is written there and the kernel commits every guest flip itself:
 *     no polling;
 * (c) upstream dma-buf planes: upstream has no flip notification, so the
 *     plane is asked once per monitor frame on a timer; a dmabuf_id not
 *     seen before is fetched (VFIO_DEVICE_GET_GFX_DMABUF, a new fd each
 *     call, closed at once) and imported into a bounded cache, and a change
 *     is reported only when the answer differs. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <xf86drmMode.h>

#include "daemon/source/kind.h"
#include "daemon/source/nonupstream.h"
#include "kms/dmabuf-cache.h"

enum vfio_mode {
	VFIO_UNPROBED,
	VFIO_DRM,      /* (a) the answer is a host framebuffer id */
	VFIO_FLIP,     /* (b) a dmabuf_id, shown once, then enable_direct_flip */
	VFIO_DMABUF,   /* (c) the answer is a dmabuf_id, polled */
};

/* Imported guest buffers per device: a guest flips between two or three;
 * cursor images change less. */
#define VFIO_DMABUF_CACHE 8
#define VFIO_CURSOR_CACHE 4

struct vfio_source {
	char *path;
	char *mdev;         /* the mdev sysfs directory given, or NULL */
	int fd;             /* the device, kept open to be polled; -1 */
	enum vfio_mode mode;
	uint32_t fb_id;
	bool valid;         /* fb_id answers the last change */
	sd_event *loop;
	sd_event_source *io;
	struct source *owner;   /* told of changes once watched; NULL */
	/* (c) */
	int card_fd;        /* where imports go; -1 */
	uint64_t frame_usec;
	sd_event_source *tick;
	struct kms_dmabuf_cache *cache;   /* by dmabuf_id */
	struct vfio_device_gfx_plane_info last;  /* the answer fb_id is for */
	bool pending;       /* last is a tick's answer not resolved yet */
	int err;            /* last could not be shown: until it changes */
	/* The cursor, in (a) and (c): asked with the primary plane. */
	bool cursor_ok;     /* the device answers cursor queries */
	struct vfio_device_gfx_plane_info cursor;  /* the answer cursor_fb is for */
	uint32_t cursor_fb;  /* 0: none */
	struct kms_dmabuf_cache *cursor_cache;
	/* (b) */
	char *flip_attr;    /* MDEV/enable_direct_flip */
	bool flip_on;       /* 1 written since the device was opened */
};

static void vfio_close(struct vfio_source *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	s->tick = sd_event_source_disable_unref(s->tick);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->mode = VFIO_UNPROBED;
	s->pending = false;
	s->err = 0;
	s->cursor_ok = false;
	s->cursor_fb = 0;
	kms_dmabuf_cache_clear(s->cursor_cache, true);
	s->flip_on = false;
	free(s->flip_attr);
	s->flip_attr = NULL;
	/* The device is gone: so are its buffers, and the plane goes off. */
	kms_dmabuf_cache_clear(s->cache, true);
}

static void vfio_destroy(void *impl)
{
	struct vfio_source *s = impl;
	if (!s)
		return;
	vfio_close(s);
	kms_dmabuf_cache_destroy(s->cache);
	kms_dmabuf_cache_destroy(s->cursor_cache);
	free(s->path);
	free(s->mdev);
	free(s);
}

static int vfio_create(const char *arg, void **impl)
{
	if (arg[0] != '/')
		return -EINVAL;
	struct vfio_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->card_fd = -1;
	const char *hash = strchr(arg, '#');
	s->path = hash ? strndup(arg, (size_t)(hash - arg)) : strdup(arg);
	s->mdev = hash ? strdup(hash + 1) : NULL;
	int r = s->path && (!hash || s->mdev) ? 0 : -ENOMEM;
	if (r == 0 && hash && (s->mdev[0] != '/' || strchr(s->mdev, '#')))
		r = -EINVAL;
	if (r == 0)
		r = kms_dmabuf_cache_create(VFIO_DMABUF_CACHE, &s->cache);
	if (r == 0)
		r = kms_dmabuf_cache_create(VFIO_CURSOR_CACHE, &s->cursor_cache);
	if (r < 0) {
		kms_dmabuf_cache_destroy(s->cache);
		free(s->path);
		free(s->mdev);
		free(s);
		return r;
	}
	*impl = s;
	return 0;
}

/* A device that went away answers ENODEV (or ENOTCONN from a user-space
 * device): the vGPU is gone, which is not "the guest plane is off". */
static int gone(int err)
{
	return err == ENOENT || err == ENODEV || err == ENOTCONN || err == ENXIO ? -ENODEV : -err;
}

static int query_type(int fd, uint32_t flags, uint32_t type, struct vfio_device_gfx_plane_info *info)
{
	*info = (struct vfio_device_gfx_plane_info){
		.argsz = sizeof(*info),
		.flags = flags,
		.drm_plane_type = type,
	};
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) == 0 ? 0 : -errno;
}

static int query_plane(int fd, uint32_t flags, struct vfio_device_gfx_plane_info *info)
{
	return query_type(fd, flags, DRM_PLANE_TYPE_PRIMARY, info);
}

/* (b): MDEV/enable_direct_flip, where the device has one. */
static bool find_flip_attr(struct vfio_source *s)
{
	char dir[64];
	const char *mdev = s->mdev;
	struct stat st;
	if (!mdev) {
		if (fstat(s->fd, &st) != 0 || !S_ISCHR(st.st_mode))
			return false;
		snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
			 minor(st.st_rdev));
		mdev = dir;
	}
	free(s->flip_attr);
	s->flip_attr = NULL;
	if (asprintf(&s->flip_attr, "%s/" GVT_ATTR_ENABLE_DIRECT_FLIP, mdev) < 0) {
		s->flip_attr = NULL;
		return false;
	}
	if (access(s->flip_attr, W_OK) == 0)
		return true;
	free(s->flip_attr);
	s->flip_attr = NULL;
	return false;
}

static int probe(struct vfio_source *s)
{
	struct vfio_device_gfx_plane_info info;
	int r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DRM, &info);
	if (r == 0) {
		s->mode = VFIO_DRM;
		return 0;
	}
	if (r != -EINVAL && r != -ENOTTY && r != -EOPNOTSUPP)
		return gone(-r);
	r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, &info);
	if (r == 0) {
		s->mode = find_flip_attr(s) ? VFIO_FLIP : VFIO_DMABUF;
		return 0;
	}
	if (r != -EINVAL && r != -ENOTTY && r != -EOPNOTSUPP)
		return gone(-r);
	return -EOPNOTSUPP;
}

/* All zero: the guest has the plane off. */
static bool plane_off(const struct vfio_device_gfx_plane_info *info)
{
	return info->drm_format == 0 && info->width == 0 && info->height == 0;
}

static bool same_plane(const struct vfio_device_gfx_plane_info *a,
		       const struct vfio_device_gfx_plane_info *b)
{
	return a->dmabuf_id == b->dmabuf_id && a->drm_format == b->drm_format &&
	       a->drm_format_mod == b->drm_format_mod && a->width == b->width &&
	       a->height == b->height && a->stride == b->stride && a->size == b->size;
}

static bool same_cursor(const struct vfio_device_gfx_plane_info *a,
			const struct vfio_device_gfx_plane_info *b)
{
	return same_plane(a, b) && a->x_pos == b->x_pos && a->y_pos == b->y_pos &&
	       a->x_hot == b->x_hot && a->y_hot == b->y_hot;
}

/* (c): the framebuffer of info, from cache or imported into it. */
static int fetch(struct vfio_source *s, struct kms_dmabuf_cache *cache,
		 const struct vfio_device_gfx_plane_info *info, uint32_t *fb_id)
{
	*fb_id = 0;
	if (plane_off(info)) {
		kms_dmabuf_cache_hide(cache);
		return 0;
	}
	if (s->card_fd < 0)
		return -ENODEV;
	struct kms_dmabuf b = {
		.width = info->width,
		.height = info->height,
		.format = info->drm_format,
		.modifier = info->drm_format_mod,
		.stride = info->stride,
	};
	if (kms_dmabuf_cache_show(cache, info->dmabuf_id, &b, fb_id) == 0)
		return 0;
	uint32_t id = info->dmabuf_id;
	/* A new fd on every call, O_CLOEXEC, closed once imported. */
	int fd = ioctl(s->fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);
	if (fd < 0)
		return -errno;
	int r = kms_dmabuf_cache_import(cache, s->card_fd, info->dmabuf_id, &b, fd, fb_id);
	close(fd);
	return r;
}

/* The cursor's answer of the form in use into *info; false when the
 * device has no cursor answers (asked no more until it is reopened). */
static bool query_cursor(struct vfio_source *s, struct vfio_device_gfx_plane_info *info)
{
	uint32_t flags = s->mode == VFIO_DRM ? VFIO_GFX_PLANE_TYPE_DRM : VFIO_GFX_PLANE_TYPE_DMABUF;
	if (!s->cursor_ok || query_type(s->fd, flags, DRM_PLANE_TYPE_CURSOR, info) < 0) {
		s->cursor_ok = false;
		*info = (struct vfio_device_gfx_plane_info){ 0 };
		return false;
	}
	return true;
}

/* A cursor that cannot be shown is no cursor: the primary plane matters. */
static void resolve_cursor(struct vfio_source *s)
{
	const struct vfio_device_gfx_plane_info *info = &s->cursor;
	if (s->mode == VFIO_DRM)
		s->cursor_fb = plane_off(info) ? 0 : VFIO_GFX_PLANE_DRM_FB_ID(info);
	else if (fetch(s, s->cursor_cache, info, &s->cursor_fb) < 0)
		s->cursor_fb = 0;
}

static int query(struct vfio_source *s)
{
	if (s->fd < 0) {
		s->fd = open(s->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (s->fd < 0)
			return gone(errno);
	}
	int r = 0;
	if (s->mode == VFIO_UNPROBED) {
		r = probe(s);
		s->cursor_ok = s->mode != VFIO_FLIP;
	}
	if (r < 0)
		return r;
	if (s->mode == VFIO_DMABUF || s->mode == VFIO_FLIP) {
		if (!s->pending) {
			r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_DMABUF, &s->last);
			if (r < 0)
				return gone(-r);
			query_cursor(s, &s->cursor);
		}
		s->pending = false;
		/* Not importable is no reason to stop asking: the error
		 * stays until the guest's plane changes. */
		s->err = fetch(s, s->cache, &s->last, &s->fb_id);
		resolve_cursor(s);
		s->valid = true;
		return 0;
	}
	struct vfio_device_gfx_plane_info info;
	r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_DRM, &info);
	if (r < 0)
		return gone(-r);
	s->fb_id = plane_off(&info) ? 0 : VFIO_GFX_PLANE_DRM_FB_ID(&info);
	query_cursor(s, &s->cursor);
	resolve_cursor(s);
	s->valid = true;
	return 0;
}

/* (c): one query per monitor frame; a changed answer stops the timer
 * until the reconcile pass it schedules has read it (vfio_current). */
static int on_tick(sd_event_source *src, uint64_t usec, void *data)
{
	struct vfio_source *s = data;
	struct vfio_device_gfx_plane_info info, cursor = { 0 };
	int r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_DMABUF, &info);
	bool had_cursor = s->cursor_ok;
	if (r == 0)
		query_cursor(s, &cursor);
	bool same_cur = !had_cursor || same_cursor(&cursor, &s->cursor);
	if (r == 0 && s->valid && same_plane(&info, &s->last) && same_cur) {
		uint64_t now = 0;
		sd_event_now(s->loop, CLOCK_MONOTONIC, &now);
		uint64_t next = usec + s->frame_usec;
		sd_event_source_set_time(src, next > now ? next : now + s->frame_usec);
		sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
		return 0;
	}
	/* A failed query is asked again by the pass, which reports it. */
	s->pending = r == 0;
	if (r == 0) {
		s->last = info;
		s->cursor = cursor;
	}
	s->valid = false;
	source_changed(s->owner);
	return 0;
}

static void arm_tick(struct vfio_source *s)
{
	int on = SD_EVENT_OFF;
	if (s->tick && sd_event_source_get_enabled(s->tick, &on) >= 0 && on != SD_EVENT_OFF)
		return;
	uint64_t now = 0;
	sd_event_now(s->loop, CLOCK_MONOTONIC, &now);
	if (!s->tick) {
		/* Accuracy 0 would be sd-event's default slack of 250 ms:
		 * 4 ticks a second instead of one per refresh. */
		if (sd_event_add_time(s->loop, &s->tick, CLOCK_MONOTONIC, now + s->frame_usec, 1,
				      on_tick, s) < 0)
			s->tick = NULL;
		return;
	}
	sd_event_source_set_time(s->tick, now + s->frame_usec);
	sd_event_source_set_enabled(s->tick, SD_EVENT_ONESHOT);
}

static int on_device(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct vfio_source *s = data;
	s->valid = false;
	if (source_signal_fired(src, revents))
		vfio_close(s);
	source_changed(s->owner);
	return 0;
}

static int vfio_current(void *impl, uint32_t *fb_id)
{
	struct vfio_source *s = impl;
	/* What the last pass replaced is off screen now. */
	kms_dmabuf_cache_collect(s->cache);
	kms_dmabuf_cache_collect(s->cursor_cache);
	if (!s->valid) {
		int r = query(s);
		if (r < 0) {
			vfio_close(s);
			return r;
		}
	}
	if (s->loop && s->mode == VFIO_DMABUF)
		arm_tick(s);
	/* A device that cannot be polled (upstream vfio has no poll) is
	 * asked again only on the daemon's own reconcile passes. (b) is not
	 * asked again at all (the kernel flips), but hears the device go. */
	if (s->loop && s->fd >= 0 && (s->mode == VFIO_DRM || s->mode == VFIO_FLIP)) {
		uint32_t events = s->mode == VFIO_DRM ? EPOLLPRI : 0;
		source_signal_arm(s->loop, &s->io, s->fd, events, on_device, s);
	}
	if (s->err)
		return s->err;
	if (s->fb_id == 0)
		return -ENOENT;
	*fb_id = s->fb_id;
	return 0;
}

static void vfio_watch(void *impl, sd_event *loop, struct source *owner)
{
	struct vfio_source *s = impl;
	s->loop = loop;
	s->owner = owner;
}

/* (b): 1 once the plane shows the guest's buffer; the kernel flips from
 * then on. A switch that cannot be written leaves polling, (c). */
static void vfio_shown(void *impl, uint32_t fb_id)
{
	struct vfio_source *s = impl;
	kms_dmabuf_cache_collect(s->cache);
	if (s->mode != VFIO_FLIP || s->flip_on || !fb_id || fb_id != s->fb_id)
		return;
	int fd = open(s->flip_attr, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	bool ok = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		ok = close(fd) == 0 && ok;
	if (ok) {
		s->flip_on = true;
		return;
	}
	s->mode = VFIO_DMABUF;
	if (s->loop)
		arm_tick(s);
}

static int vfio_cursor(void *impl, struct source_cursor *out)
{
	struct vfio_source *s = impl;
	if (!s->valid || s->err || !s->fb_id || !s->cursor_fb)
		return -ENOENT;
	*out = (struct source_cursor){
		.fb_id = s->cursor_fb,
		.x = (int32_t)s->cursor.x_pos - (int32_t)s->cursor.x_hot,
		.y = (int32_t)s->cursor.y_pos - (int32_t)s->cursor.y_hot,
	};
	return 0;
}

static void vfio_output(void *impl, int card_fd, uint64_t frame_usec)
{
	struct vfio_source *s = impl;
	s->card_fd = card_fd;
	s->frame_usec = frame_usec ? frame_usec : 16667;
}

static int vfio_fb_size(void *impl, uint32_t fb_id, uint32_t *width, uint32_t *height)
{
	struct vfio_source *s = impl;
	if (kms_dmabuf_cache_fb_size(s->cache, fb_id, width, height) == 0)
		return 0;
	return kms_dmabuf_cache_fb_size(s->cursor_cache, fb_id, width, height);
}

static void vfio_card_lost(void *impl)
{
	struct vfio_source *s = impl;
	kms_dmabuf_cache_clear(s->cache, false);
	kms_dmabuf_cache_clear(s->cursor_cache, false);
	s->card_fd = -1;
	if (s->mode == VFIO_DMABUF)
		s->valid = false;
}

/* (c) ticks, (a) hears POLLPRI when the device can be polled, (b) once
 * the kernel flips; otherwise the passes ask. */
static bool vfio_signals(const void *impl)
{
	const struct vfio_source *s = impl;
	if (s->fd < 0)
		return false;
	if (s->mode == VFIO_DMABUF)
		return s->tick;
	return s->io && (s->mode == VFIO_DRM || s->flip_on);
}

const struct source_kind source_kind_vfio = {
	.name = "vfio",
	.prefix = "vfio:",
	.takes_arg = 1,
	.create = vfio_create,
	.destroy = vfio_destroy,
	.current_fb = vfio_current,
	.watch = vfio_watch,
	.output = vfio_output,
	.card_lost = vfio_card_lost,
	.shown = vfio_shown,
	.cursor = vfio_cursor,
	.fb_size = vfio_fb_size,
	.signals = vfio_signals,
};
