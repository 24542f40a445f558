/* SPDX-License-Identifier: MIT */
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

/* One getXXnam_r call into buf: its error number, and *found with *id. */
typedef int (*lookup_fn)(const char *name, char *buf, size_t size, uint32_t *id, bool *found);

static int lookup_user(const char *name, char *buf, size_t size, uint32_t *id, bool *found)
{
	struct passwd pw, *res = NULL;
	int r = getpwnam_r(name, &pw, buf, size, &res);
	*found = r == 0 && res;
	if (*found)
		*id = res->pw_uid;
	return r;
}

static int lookup_group(const char *name, char *buf, size_t size, uint32_t *id, bool *found)
{
	struct group gr, *res = NULL;
	int r = getgrnam_r(name, &gr, buf, size, &res);
	*found = r == 0 && res;
	if (*found)
		*id = res->gr_gid;
	return r;
}

/* A number, or a name looked up with a buffer grown until it fits. */
static int lookup_id(const char *text, int size_name, lookup_fn fn, uint32_t *out)
{
	if (all_digits(text))
		return parse_id(text, out);
	for (size_t size = start_size(size_name); size <= MAX_BUF; size *= 2) {
		char *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		bool found = false;
		int r = fn(text, buf, size, out, &found);
		free(buf);
		if (r == ERANGE)
			continue;
		if (found)
			return 0;
		return not_found(r) ? -ENOENT : -r;
	}
	return -ENOBUFS;
}

int config_lookup_uid(const char *text, uid_t *out)
{
	uint32_t id;
	int r = lookup_id(text, _SC_GETPW_R_SIZE_MAX, lookup_user, &id);
	if (r == 0)
		*out = (uid_t)id;
	return r;
}

int config_lookup_gid(const char *text, gid_t *out)
{
	uint32_t id;
	int r = lookup_id(text, _SC_GETGR_R_SIZE_MAX, lookup_group, &id);
	if (r == 0)
		*out = (gid_t)id;
	return r;
}
