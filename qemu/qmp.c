/* SPDX-License-Identifier: MIT */
#include "qemu/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "lib/fdpass.h"

#define STEP_MS 5000
#define LINE_MAX_BYTES 65536 /* a QMP answer past this is not one we wait for */

/* The next QMP message that is not an event: 0 for "return", -EPROTO with
 * the error's description for "error". */
static int answer(int s, char *why, size_t n)
{
	char line[LINE_MAX_BYTES];
	size_t len = 0;
	for (;;) {
		char *nl = memchr(line, '\n', len);
		if (nl) {
			*nl = '\0';
			struct json_object *o = json_tokener_parse(line), *v;
			size_t used = (size_t)(nl - line) + 1;
			memmove(line, nl + 1, len - used);
			len -= used;
			int r = 1;
			if (!o) {
				snprintf(why, n, "QEMU sent a line that is not JSON");
				return -EPROTO;
			}
			if (json_object_object_get_ex(o, "return", &v) ||
			    json_object_object_get_ex(o, "QMP", &v))
				r = 0;
			else if (json_object_object_get_ex(o, "error", &v)) {
				struct json_object *d;
				snprintf(why, n, "%s",
					 json_object_object_get_ex(v, "desc", &d) ? json_object_get_string(d)
										  : "an error");
				r = -EPROTO;
			}
			json_object_put(o);
			if (r <= 0)
				return r;
			continue; /* an event */
		}
		if (len == sizeof(line)) {
			snprintf(why, n, "QEMU sent a QMP line longer than %d bytes", LINE_MAX_BYTES);
			return -EPROTO;
		}
		struct pollfd p = { s, POLLIN, 0 };
		int k = poll(&p, 1, STEP_MS);
		if (k == 0) {
			snprintf(why, n, "QEMU did not answer on QMP within %d s", STEP_MS / 1000);
			return -ETIMEDOUT;
		}
		ssize_t got = k < 0 ? -1 : read(s, line + len, sizeof(line) - len);
		if (got <= 0) {
			snprintf(why, n, "QEMU closed its QMP socket");
			return -ECONNRESET;
		}
		len += (size_t)got;
	}
}

static int send_cmd(int s, const char *cmd, int fd, char *why, size_t n)
{
	errno = 0;
	if (fdpass_send(s, cmd, strlen(cmd), fd, 0) != (ssize_t)strlen(cmd)) {
		int e = errno ? errno : EIO;
		snprintf(why, n, "cannot write to QEMU's QMP socket: %s", strerror(e));
		return -e;
	}
	return answer(s, why, n);
}

int qmp_dbus_p2p(const char *path, int *fd, char *why, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(why, n, "the QMP socket path is too long");
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int pair[2] = { -1, -1 };
	int r = 0;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		r = -errno;
		snprintf(why, n, "cannot connect to QEMU's QMP socket %s: %s", path, strerror(errno));
		goto out;
	}
	r = answer(s, why, n); /* the greeting */
	if (r == 0)
		r = send_cmd(s, "{\"execute\":\"qmp_capabilities\"}\n", -1, why, n);
	if (r == 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		r = -errno;
	if (r == 0)
		r = send_cmd(s, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"directflip-qemu\"}}\n",
			     pair[1], why, n);
	if (r == 0)
		r = send_cmd(s, "{\"execute\":\"add_client\",\"arguments\":{\"protocol\":"
				"\"@dbus-display\",\"fdname\":\"directflip-qemu\"}}\n",
			     -1, why, n);
	if (r == 0) {
		*fd = pair[0];
		pair[0] = -1;
	}
out:
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	close(s);
	return r;
}
