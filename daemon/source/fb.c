/* SPDX-License-Identifier: MIT */
/* fb:NUMBER and fb:PATH: a framebuffer that already exists on the card,
 * made by the vGPU driver (or the test stand-in, a simulation of it).
 * fb:PATH is watched with inotify on its directory: a new id written or
 * renamed into place, or the file removed, is a change. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "config/number.h"
#include "daemon/source/kind.h"

struct fb_source {
	char *path;      /* fb:PATH */
	uint32_t fb_id;  /* fb:NUMBER */
	int inotify;     /* -1 until watched */
	sd_event_source *io;
	struct source *owner;   /* told of changes once watched; NULL */
};

static void unwatch(struct fb_source *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	if (s->inotify >= 0)
		close(s->inotify);
	s->inotify = -1;
}

static void fb_destroy(void *impl)
{
	struct fb_source *s = impl;
	if (!s)
		return;
	unwatch(s);
	free(s->path);
	free(s);
}

static int fb_create(const char *arg, void **impl)
{
	if (*arg == '\0')
		return -EINVAL;
	struct fb_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->inotify = -1;
	if (arg[0] == '/') {
		s->path = strdup(arg);
		if (!s->path) {
			free(s);
			return -ENOMEM;
		}
	} else if (config_parse_u32(arg, 1, UINT32_MAX, &s->fb_id) < 0) {
		free(s);
		return -EINVAL;
	}
	*impl = s;
	return 0;
}

static int fb_current(void *impl, uint32_t *fb_id)
{
	struct fb_source *s = impl;
	if (!s->path) {
		*fb_id = s->fb_id;
		return 0;
	}
	int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return source_parse_id(buf, (size_t)n, 1, fb_id);
}

static int on_inotify(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct fb_source *s = data;
	const char *base = strrchr(s->path, '/') + 1;
	bool hit = false, lost = false;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			hit |= ev->len && strcmp(ev->name, base) == 0;
			lost |= (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0;
			p += sizeof(*ev) + ev->len;
		}
	}
	/* The directory went: watched again once it is back (next read). */
	if (lost)
		unwatch(s);
	if (hit || lost)
		source_changed(s->owner);
	return 0;
}

static void fb_watch(void *impl, sd_event *loop, struct source *owner)
{
	struct fb_source *s = impl;
	s->owner = owner;
	if (!s->path || s->inotify >= 0)
		return;
	size_t dir_len = (size_t)(strrchr(s->path, '/') - s->path);
	char dir[PATH_MAX];
	if (dir_len >= sizeof(dir))
		return;
	memcpy(dir, s->path, dir_len);
	dir[dir_len ? dir_len : 1] = '\0';
	if (!dir_len)
		dir[0] = '/';
	s->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (s->inotify < 0)
		return;
	/* No directory yet: tried again on the next read. */
	if (inotify_add_watch(s->inotify, dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
				      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0 ||
	    sd_event_add_io(loop, &s->io, s->inotify, EPOLLIN, on_inotify, s) < 0)
		unwatch(s);
}

/* fb:NUMBER never changes; fb:PATH once its directory is watched. */
static bool fb_signals(const void *impl)
{
	const struct fb_source *s = impl;
	return !s->path || s->inotify >= 0;
}

const struct source_kind source_kind_fb = {
	.name = "fb",
	.prefix = "fb:",
	.takes_arg = 1,
	.mirror_on_keep = true,
	.create = fb_create,
	.destroy = fb_destroy,
	.current_fb = fb_current,
	.watch = fb_watch,
	.signals = fb_signals,
};
