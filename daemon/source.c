#include "daemon/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/number.h"

struct source {
	char *spec;
	char *path;      /* fb:PATH */
	uint32_t fb_id;  /* fb:NUMBER */
};

int source_create(const char *spec, struct source **out)
{
	if (strncmp(spec, "fb:", 3) != 0) {
		if (!strncmp(spec, "gvt-sysfs:", 10) || !strncmp(spec, "vfio:", 5) ||
		    !strcmp(spec, "client"))
			return -EOPNOTSUPP;
		return -EINVAL;
	}
	const char *arg = spec + 3;
	if (*arg == '\0')
		return -EINVAL;
	struct source *src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	src->spec = strdup(spec);
	if (!src->spec)
		goto oom;
	if (arg[0] == '/') {
		src->path = strdup(arg);
		if (!src->path)
			goto oom;
	} else if (config_parse_u32(arg, 1, UINT32_MAX, &src->fb_id) < 0) {
		source_destroy(src);
		return -EINVAL;
	}
	*out = src;
	return 0;
oom:
	source_destroy(src);
	return -ENOMEM;
}

void source_destroy(struct source *src)
{
	if (!src)
		return;
	free(src->spec);
	free(src->path);
	free(src);
}

const char *source_spec(const struct source *src)
{
	return src->spec;
}

int source_current_fb(struct source *src, uint32_t *fb_id)
{
	if (!src->path) {
		*fb_id = src->fb_id;
		return 0;
	}
	int fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
