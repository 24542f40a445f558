/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

struct config_vm;

/* Who is on the other end of a control connection (SO_PEERCRED, taken at
 * connect time by the kernel) and whether that makes them an admin. */
struct control_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool admin;
};

/* admin: uid 0, or the group (when has_gid) is the peer's primary group or
 * one of its supplementary groups (SO_PEERGROUPS). */
int control_auth_peer(int fd, bool has_gid, gid_t gid, struct control_peer *out);
/* The one ownership policy: an administrator, or the uid the vm's owner=
 * names. cv NULL (no such vm): administrators only. */
bool control_auth_may_use(const struct control_peer *peer, const struct config_vm *cv);
/* A group name or a numeric gid; -ENOENT when there is no such group. */
int control_auth_group(const char *spec, gid_t *out);
