/* SPDX-License-Identifier: MIT */
/* One packet with an fd attached, for every side of the control socket
 * (the daemon, the client library) and for QEMU's QMP socket. Internal:
 * not installed, not exported. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* sendmsg() of LEN bytes of BUF as one packet, with FD attached as
 * SCM_RIGHTS when FD >= 0 (it stays the caller's); FLAGS as sendmsg's,
 * MSG_NOSIGNAL added. Retries EINTR. Returns what sendmsg returns: the
 * bytes sent, or -1 with errno set. */
ssize_t fdpass_send(int sock, const void *buf, size_t len, int fd, int flags);
