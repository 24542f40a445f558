/* User and group names, resolved with the reentrant NSS calls. */
#include "config/account.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/number.h"

/* Records larger than this are not a user database we should trust. */
#define MAX_BUF (1u << 20)

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A decimal id; (uid_t)-1 means "no change" to chown(), so it is refused. */
static int parse_id(const char *text, uint32_t *out)
{
	int r = config_parse_u32_dec(text, 0, UINT32_MAX - 1, out);
	return r == -EINVAL ? -ERANGE : r;
}

static size_t start_size(int name)
{
	long n = sysconf(name);
	return n > 0 && n < (long)MAX_BUF ? (size_t)n : 4096;
}

/* getpw*_r may say "not found" with 0 and a NULL result, or with one of these. */
static bool not_found(int r)
{
	return r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM;
}

int config_lookup_uid(const char *text, uid_t *out)
{
	uint32_t id;
	if (all_digits(text)) {
		int r = parse_id(text, &id);
		if (r == 0)
			*out = (uid_t)id;
		return r;
	}
	for (size_t size = start_size(_SC_GETPW_R_SIZE_MAX); size <= MAX_BUF; size *= 2) {
		char *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		struct passwd pw, *res = NULL;
		int r = getpwnam_r(text, &pw, buf, size, &res);
		if (r == 0 && res)
			*out = res->pw_uid;
		free(buf);
		if (r == ERANGE)
			continue;
		if (res)
			return 0;
		return not_found(r) ? -ENOENT : -r;
	}
	return -ENOBUFS;
}

int config_lookup_gid(const char *text, gid_t *out)
{
	uint32_t id;
	if (all_digits(text)) {
		int r = parse_id(text, &id);
		if (r == 0)
			*out = (gid_t)id;
		return r;
	}
	for (size_t size = start_size(_SC_GETGR_R_SIZE_MAX); size <= MAX_BUF; size *= 2) {
		char *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		struct group gr, *res = NULL;
		int r = getgrnam_r(text, &gr, buf, size, &res);
		if (r == 0 && res)
			*out = res->gr_gid;
		free(buf);
		if (r == ERANGE)
			continue;
		if (res)
			return 0;
		return not_found(r) ? -ENOENT : -r;
	}
	return -ENOBUFS;
}
