/* SPDX-License-Identifier: MIT */
/* gvt-sysfs:PATH[#PLANE]: the GVT-g "direct flip" v1 proposal (not
 * upstream, daemon/source/nonupstream.h). PATH is the vGPU's mdev device;
 * the plane number is written to its plane_id_index attribute and the
 * host framebuffer id read back. Done when the plane is first shown and
 * again when the attribute signals a change (POLLPRI, as sysfs_notify). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/number.h"
#include "daemon/source/kind.h"
#include "daemon/source/nonupstream.h"

#define GVT_MAX_PLANE 7

struct gvt_source {
	char *attr;         /* PATH/intel_vgpu/plane_id_index */
	uint32_t plane;
	int fd;             /* the attribute, kept open to be polled; -1 */
	uint32_t fb_id;
	bool valid;         /* fb_id answers the last change */
	sd_event *loop;
	sd_event_source *io;
	struct source *owner;   /* told of changes once watched; NULL */
};

static void gvt_close(struct gvt_source *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void gvt_destroy(void *impl)
{
	struct gvt_source *s = impl;
	if (!s)
		return;
	gvt_close(s);
	free(s->attr);
	free(s);
}

static int gvt_create(const char *arg, void **impl)
{
	if (arg[0] != '/')
		return -EINVAL;
	const char *hash = strrchr(arg, '#');
	uint32_t plane = 0;
	if (hash && config_parse_u32(hash + 1, 0, GVT_MAX_PLANE, &plane) < 0)
		return -EINVAL;
	size_t len = hash ? (size_t)(hash - arg) : strlen(arg);
	struct gvt_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->plane = plane;
	if (asprintf(&s->attr, "%.*s/%s", (int)len, arg, GVT_ATTR_PLANE_ID_INDEX) < 0) {
		free(s);
		return -ENOMEM;
	}
	*impl = s;
	return 0;
}

static int on_attr(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct gvt_source *s = data;
	s->valid = false;
	if (source_signal_fired(src, revents))
		gvt_close(s);
	source_changed(s->owner);
	return 0;
}

static int query(struct gvt_source *s)
{
	if (s->fd < 0) {
		s->fd = open(s->attr, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		/* No attribute: the vGPU is gone (or never was); -ENOENT would
		 * mean "the guest plane is off". */
		if (s->fd < 0)
			return errno == ENOENT || errno == ENOTCONN ? -ENODEV : -errno;
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%u\n", s->plane);
	if (pwrite(s->fd, buf, (size_t)n, 0) != n)
		return -errno;
	ssize_t got = pread(s->fd, buf, sizeof(buf) - 1, 0);
	if (got < 0)
		return -errno;
	int r = source_parse_id(buf, (size_t)got, 0, &s->fb_id);
	if (r < 0)
		return r;
	s->valid = true;
	return 0;
}

static int gvt_current(void *impl, uint32_t *fb_id)
{
	struct gvt_source *s = impl;
	if (!s->valid) {
		int r = query(s);
		if (r < 0) {
			gvt_close(s);
			return r;
		}
	}
	if (s->loop && s->fd >= 0)
		source_signal_arm(s->loop, &s->io, s->fd, EPOLLPRI, on_attr, s);
	if (s->fb_id == 0)
		return -ENOENT; /* the guest plane is off */
	*fb_id = s->fb_id;
	return 0;
}

static void gvt_watch(void *impl, sd_event *loop, struct source *owner)
{
	struct gvt_source *s = impl;
	s->loop = loop;
	s->owner = owner;
}

/* The attribute is polled (POLLPRI) while it is open. */
static bool gvt_signals(const void *impl)
{
	const struct gvt_source *s = impl;
	return s->fd >= 0 && s->io;
}

const struct source_kind source_kind_gvt_sysfs = {
	.name = "gvt-sysfs",
	.prefix = "gvt-sysfs:",
	.takes_arg = 1,
	.mirror_on_keep = true,
	.create = gvt_create,
	.destroy = gvt_destroy,
	.current_fb = gvt_current,
	.watch = gvt_watch,
	.signals = gvt_signals,
};
