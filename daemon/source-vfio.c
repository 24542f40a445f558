/* vfio:PATH: a mediated vGPU's VFIO device (PATH, its device node), asked
 * for its primary plane with VFIO_DEVICE_QUERY_GFX_PLANE. Only the "DRM
 * plane type" (GVT-g direct flip v1's QEMU branch, not upstream,
 * daemon/vgpu-nonupstream.h) is read: the answer is a host framebuffer id,
 * mapped as it is. Upstream has no flip notification, so the daemon asks
 * again only when the device fd signals POLLPRI: no work per guest frame
 * (docs/sources.md). A device that offers only upstream dma-buf planes is
 * -EOPNOTSUPP for now. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <xf86drmMode.h>

#include "daemon/source-kind.h"
#include "daemon/vgpu-nonupstream.h"

enum vfio_mode {
	VFIO_UNPROBED,
	VFIO_DRM,      /* (a) the answer is a host framebuffer id */
};

struct vfio_source {
	char *path;
	int fd;             /* the device, kept open to be polled; -1 */
	enum vfio_mode mode;
	uint32_t fb_id;
	bool valid;         /* fb_id answers the last change */
	sd_event *loop;
	sd_event_source *io;
	void (*changed)(void *data);
	void *data;
};

static void vfio_close(struct vfio_source *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->mode = VFIO_UNPROBED;
}

static void vfio_destroy(void *impl)
{
	struct vfio_source *s = impl;
	if (!s)
		return;
	vfio_close(s);
	free(s->path);
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
	s->path = strdup(arg);
	if (!s->path) {
		free(s);
		return -ENOMEM;
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

static int query_plane(int fd, uint32_t flags, struct vfio_device_gfx_plane_info *info)
{
	*info = (struct vfio_device_gfx_plane_info){
		.argsz = sizeof(*info),
		.flags = flags,
		.drm_plane_type = DRM_PLANE_TYPE_PRIMARY,
	};
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) == 0 ? 0 : -errno;
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
	/* The upstream dma-buf plane ((c) in docs/sources.md) is not read yet. */
	return -EOPNOTSUPP;
}

static int query(struct vfio_source *s)
{
	if (s->fd < 0) {
		s->fd = open(s->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (s->fd < 0)
			return gone(errno);
	}
	int r = s->mode == VFIO_UNPROBED ? probe(s) : 0;
	if (r < 0)
		return r;
	struct vfio_device_gfx_plane_info info;
	r = query_plane(s->fd, VFIO_GFX_PLANE_TYPE_DRM, &info);
	if (r < 0)
		return gone(-r);
	/* All zero: the guest has the plane off. */
	bool off = info.drm_format == 0 && info.width == 0 && info.height == 0;
	s->fb_id = off ? 0 : VFIO_GFX_PLANE_DRM_FB_ID(&info);
	s->valid = true;
	return 0;
}

static int on_device(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct vfio_source *s = data;
	s->valid = false;
	/* Disarmed until the next query: the device keeps signalling until
	 * it has been asked. An error alone is a vanished device. */
	sd_event_source_set_enabled(src, SD_EVENT_OFF);
	if (revents & (EPOLLHUP | EPOLLERR) && !(revents & EPOLLPRI))
		vfio_close(s);
	if (s->changed)
		s->changed(s->data);
	return 0;
}

static int vfio_current(void *impl, uint32_t *fb_id)
{
	struct vfio_source *s = impl;
	if (!s->valid) {
		int r = query(s);
		if (r < 0) {
			vfio_close(s);
			return r;
		}
	}
	/* A device that cannot be polled (upstream vfio has no poll) is
	 * asked again only on the daemon's own reconcile passes. */
	if (s->loop && s->fd >= 0) {
		if (!s->io && sd_event_add_io(s->loop, &s->io, s->fd, EPOLLPRI, on_device, s) < 0)
			s->io = NULL;
		if (s->io)
			sd_event_source_set_enabled(s->io, SD_EVENT_ON);
	}
	if (s->fb_id == 0)
		return -ENOENT;
	*fb_id = s->fb_id;
	return 0;
}

static void vfio_watch(void *impl, sd_event *loop, void (*changed)(void *data), void *data)
{
	struct vfio_source *s = impl;
	s->loop = loop;
	s->changed = changed;
	s->data = data;
}

const struct source_kind source_kind_vfio = {
	.name = "vfio",
	.prefix = "vfio:",
	.takes_arg = 1,
	.create = vfio_create,
	.destroy = vfio_destroy,
	.current_fb = vfio_current,
	.watch = vfio_watch,
};
