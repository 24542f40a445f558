/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Creates the listening SOCK_SEQPACKET socket at path (nonblocking,
 * close-on-exec). An existing socket file is replaced only when connect()
 * to it is refused (a stale one); anything else at the path is left alone
 * and refused with -EEXIST or -EADDRINUSE and a message in err. The file
 * gets mode 0666 (every method authorizes by SO_PEERCRED) and, when
 * has_gid, group gid (group is its name, for the message). */
int control_listen_path(const char *path, const char *group, bool has_gid, gid_t gid,
			int *out_fd, char *err, size_t errlen);
/* Checks a socket from systemd (directflipd.socket): a listening unix
 * SOCK_SEQPACKET socket bound to path (when not NULL). Its mode and group
 * are systemd's (SocketMode=, SocketGroup=): nothing is chowned. */
int control_listen_adopt(int fd, const char *path, char *err, size_t errlen);
