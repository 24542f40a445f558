/* SPDX-License-Identifier: MIT */
#include "daemon/control/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "directflip/protocol.h"

#define BACKLOG DF_MAX_CLIENTS

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* Is somebody listening on the socket file at path? 0 = stale (refused). */
static int probe_stale(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another directflipd is listening there; stop it or "
				      "choose another path ([daemon] socket= or --socket)",
			 sa->sun_path);
		return -EADDRINUSE;
	}
	if (e == ECONNREFUSED)
		return 0;
	if (e == EPROTOTYPE) {
		snprintf(err, errlen, "%s: a socket of another type is in use there; it is not "
				      "ours, so it is left alone",
			 sa->sun_path);
		return -EADDRINUSE;
	}
	snprintf(err, errlen, "%s: cannot tell whether the socket there is stale (%s); it "
			      "is left alone",
		 sa->sun_path, strerror(e));
	return -e;
}

size_t control_socket_dir_len(const char *socket_path)
{
	const char *slash = strrchr(socket_path, '/');
	return slash ? (size_t)(slash - socket_path) : 0;
}

int control_socket_sibling(const char *socket_path, const char *name, char *out, size_t n)
{
	int len = snprintf(out, n, "%.*s/%s", (int)control_socket_dir_len(socket_path), socket_path,
			   name);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

int control_listen_path(const char *path, const char *group, bool has_gid, gid_t gid,
			int *out_fd, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	if (path[0] != '/' || fill_addr(path, &sa) < 0) {
		snprintf(err, errlen, "%s: the socket path must be absolute and under %zu bytes",
			 path, sizeof(sa.sun_path));
		return -EINVAL;
	}
	/* The runtime directory itself (/run/directflip), one level only. */
	char dir[sizeof(sa.sun_path)];
	size_t dir_len = control_socket_dir_len(path);
	if (dir_len) {
		memcpy(dir, path, dir_len);
		dir[dir_len] = '\0';
		/* One made here is 0755 whatever the umask: clients reach the
		 * socket through it. One that exists is the admin's. */
		int made = mkdir(dir, 0755);
		if ((made < 0 && errno != EEXIST) || (made == 0 && chmod(dir, 0755) < 0)) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(e));
			return -e;
		}
	}

	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket; directflipd will not "
					      "remove it: move it away or choose another path "
					      "([daemon] socket= or --socket)",
				 path);
			return -EEXIST;
		}
		int r = probe_stale(&sa, err, errlen);
		if (r < 0)
			return r;
		if (unlink(path) < 0 && errno != ENOENT) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot remove the stale socket: %s", path,
				 strerror(e));
			return -e;
		}
	} else if (errno != ENOENT) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}

	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create a unix socket: %s", strerror(e));
		return -e;
	}
	/* Until chmod, the file is only as open as the umask allows. */
	const char *step = NULL;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		step = "bind";
	else if (chmod(path, 0666) < 0)
		step = "chmod";
	else if (has_gid && chown(path, (uid_t)-1, gid) < 0)
		step = "chown";
	else if (listen(fd, BACKLOG) < 0)
		step = "listen";
	if (step) {
		int e = errno;
		if (strcmp(step, "chown") == 0)
			/* The unit's SystemCallFilter=~@privileged and its capability
			 * set forbid this; directflipd.socket sets the group instead. */
			snprintf(err, errlen, "%s: cannot chown the socket to group %s "
					      "([daemon] socket-group): %s; under systemd, let "
					      "directflipd.socket create it (SocketGroup=)",
				 path, group ? group : "?", strerror(e));
		else
			snprintf(err, errlen, "%s: cannot listen (%s): %s", path, step, strerror(e));
		if (strcmp(step, "bind") != 0)
			unlink(path);
		close(fd);
		return -e;
	}
	*out_fd = fd;
	return 0;
}

int control_listen_adopt(int fd, const char *path, char *err, size_t errlen)
{
	int r = sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0);
	if (r <= 0) {
		snprintf(err, errlen, "the socket systemd passed (fd %d) is not a listening "
				      "SOCK_SEQPACKET unix socket; set ListenSequentialPacket=",
			 fd);
		return r < 0 ? r : -EINVAL;
	}
	/* Clients and the per-VM sockets beside it go by the path: a socket
	 * bound elsewhere would leave them talking to nobody. */
	if (path && sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, path, 0) <= 0) {
		struct sockaddr_un sa = { 0 };
		socklen_t len = sizeof(sa);
		if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || len <= offsetof(struct sockaddr_un, sun_path))
			sa.sun_path[0] = '\0';
		sa.sun_path[sizeof(sa.sun_path) - 1] = '\0';
		snprintf(err, errlen, "the socket systemd passed (fd %d) is bound to '%s', not %s; "
				      "make ListenSequentialPacket= and [daemon] socket= (or "
				      "--socket) agree",
			 fd, sa.sun_path[0] ? sa.sun_path : "(unnamed)", path);
		return -EADDRNOTAVAIL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		snprintf(err, errlen, "fd %d: %s", fd, strerror(e));
		return -e;
	}
	return 0;
}
