/* fb:NUMBER and fb:PATH: a framebuffer that already exists on the card,
 * made by the vGPU driver (or the test stand-in, a simulation of it). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/number.h"
#include "daemon/source-kind.h"

struct fb_source {
	char *path;      /* fb:PATH */
	uint32_t fb_id;  /* fb:NUMBER */
};

static void fb_destroy(void *impl)
{
	struct fb_source *s = impl;
	if (!s)
		return;
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
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	uint32_t id;
	if (config_parse_u32(buf, 1, UINT32_MAX, &id) < 0)
		return -EBADMSG;
	*fb_id = id;
	return 0;
}

const struct source_kind source_kind_fb = {
	.name = "fb",
	.prefix = "fb:",
	.takes_arg = 1,
	.create = fb_create,
	.destroy = fb_destroy,
	.current_fb = fb_current,
};
