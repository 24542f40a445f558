/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The length of the directory part of the control socket's path (0: the
 * root, or none): the runtime directory that also holds state.json, the VM
 * sockets (vm/) and the input links (input/). */
size_t control_socket_dir_len(const char *socket_path);
/* DIR/name, DIR that directory, in out; -ENAMETOOLONG when it does not fit. */
int control_socket_sibling(const char *socket_path, const char *name, char *out, size_t n);

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
