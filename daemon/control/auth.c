/* SPDX-License-Identifier: MIT */
#include "daemon/control/auth.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "config/config.h"
#include "config/number.h"

/* The peer's supplementary groups as the kernel recorded them at connect:
 * no race with the process changing its groups, no /proc parsing. */
static bool peer_in_group(int fd, gid_t gid)
{
	gid_t small[64];
	gid_t *groups = small;
	socklen_t len = sizeof(small);
	bool found = false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE || len == 0 || len > 65536 * sizeof(gid_t))
			return false;
		groups = malloc(len);
		if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			goto out;
	}
	for (size_t i = 0; i < len / sizeof(gid_t) && !found; i++)
		found = groups[i] == gid;
out:
	if (groups != small)
		free(groups);
	return found;
}

int control_auth_peer(int fd, bool has_gid, gid_t gid, struct control_peer *out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	struct control_peer p = { .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
	p.admin = cred.uid == 0 || (has_gid && (cred.gid == gid || peer_in_group(fd, gid)));
	*out = p;
	return 0;
}

int control_auth_group(const char *spec, gid_t *out)
{
	uint32_t n;
	if (config_parse_u32(spec, 0, UINT32_MAX - 1, &n) == 0) {
		*out = (gid_t)n;
		return 0;
	}
	struct group gr, *res = NULL;
	char buf[4096];
	int r = getgrnam_r(spec, &gr, buf, sizeof(buf), &res);
	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*out = res->gr_gid;
	return 0;
}

bool control_auth_may_use(const struct control_peer *peer, const struct config_vm *cv)
{
	return peer->admin || (cv && cv->has_owner && cv->owner_uid == peer->uid);
}
