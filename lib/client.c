/* SPDX-License-Identifier: MIT */
/* The client library (include/directflip/client.h): blocking calls over
 * the control socket, with events queued while a call waits. */
#include "directflip/client.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/fdpass.h"

#define EVENT_QUEUE 256

struct df_client {
	int fd;
	int64_t next_id;
	char error[512];
	struct json_object *events[EVENT_QUEUE];
	size_t ev_head, ev_len;
	char *buf;
};

static int set_error(struct df_client *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct df_client *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return code;
}

int df_client_connect(const char *path, struct df_client **out)
{
	if (!path)
		path = getenv(DF_SOCKET_ENV);
	if (!path || !*path)
		path = DF_SOCKET_DEFAULT;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	struct df_client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->buf = malloc(DF_MAX_PACKET);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int r = 0;
	if (!c->buf)
		r = -ENOMEM;
	else if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	if (r < 0) {
		if (c->fd >= 0)
			close(c->fd);
		free(c->buf);
		free(c);
		return r;
	}
	c->next_id = 1;
	*out = c;
	return 0;
}

void df_client_close(struct df_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ev_len; i++)
		json_object_put(c->events[(c->ev_head + i) % EVENT_QUEUE]);
	close(c->fd);
	free(c->buf);
	free(c);
}

int df_client_fd(const struct df_client *c)
{
	return c->fd;
}

const char *df_client_error(const struct df_client *c)
{
	return c->error;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One packet into *m; *fd gets an attached fd (O_CLOEXEC) or -1. */
static int receive(struct df_client *c, int timeout_ms, struct df_msg *m, int *fd)
{
	*fd = -1;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return set_error(c, -errno, "poll: %s", strerror(errno));
	if (r == 0)
		return set_error(c, -ETIMEDOUT, "no answer from directflipd");
	struct iovec iov = { c->buf, DF_MAX_PACKET };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			     .msg_controllen = sizeof(cbuf.b) };
	ssize_t n;
	do
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ECONNRESET) {
		/* The daemon closed with our request unread: the kernel reports
		 * that once, ahead of what the daemon sent first (a refusal). */
		mh.msg_controllen = sizeof(cbuf.b);
		do
			n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			errno = ECONNRESET;
	}
	if (n < 0)
		return set_error(c, -errno, "receiving from directflipd: %s", strerror(errno));
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			if (*fd >= 0)
				close(*fd);
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
		}
	}
	if (n == 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return set_error(c, -ECONNRESET, "directflipd closed the connection");
	}
	char err[256];
	r = df_msg_decode(c->buf, (size_t)n, m, err, sizeof(err));
	if (r < 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return set_error(c, r, "directflipd sent a malformed message: %s", err);
	}
	return 0;
}

static void keep_event(struct df_client *c, struct df_msg *m)
{
	if (c->ev_len == EVENT_QUEUE) {
		/* The oldest goes: a caller that never reads events must not grow us. */
		json_object_put(c->events[c->ev_head]);
		c->ev_head = (c->ev_head + 1) % EVENT_QUEUE;
		c->ev_len--;
	}
	c->events[(c->ev_head + c->ev_len) % EVENT_QUEUE] = json_object_get(m->root);
	c->ev_len++;
}

int df_client_call_fds(struct df_client *c, const char *method, struct json_object *params,
		       int fd_in, struct json_object **result, int *fd_out)
{
	c->error[0] = '\0';
	if (fd_out)
		*fd_out = -1;
	int64_t id = c->next_id++;
	char *text = NULL;
	int r = df_encode_request(id, method, params, &text);
	if (r < 0)
		return set_error(c, r, "cannot encode the %s request: %s", method, strerror(-r));
	/* The request, with fd_in (borrowed) attached when >= 0. */
	ssize_t n = fdpass_send(c->fd, text, strlen(text), fd_in, 0);
	free(text);
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
		/* Refused at connect: the daemon said why before it closed. */
		int e = errno, fd = -1;
		struct df_msg m;
		if (receive(c, 0, &m, &fd) == 0) {
			r = m.kind == DF_MSG_ERROR ? set_error(c, m.code, "%s", m.message) : 0;
			df_msg_clear(&m);
			if (fd >= 0)
				close(fd);
			if (r < 0)
				return r;
		}
		return set_error(c, -e, "sending to directflipd: %s", strerror(e));
	}
	if (n < 0)
		return set_error(c, -errno, "sending to directflipd: %s", strerror(errno));
	for (;;) {
		struct df_msg m;
		int fd;
		r = receive(c, -1, &m, &fd);
		if (r < 0)
			return r;
		if (m.kind == DF_MSG_EVENT) {
			keep_event(c, &m);
		} else if (m.kind == DF_MSG_ERROR && (m.id == id || m.id < 0)) {
			r = set_error(c, m.code, "%s", m.message);
		} else if (m.kind == DF_MSG_REPLY && m.id == id) {
			if (result)
				*result = json_object_get(m.body);
			if (fd_out) {
				*fd_out = fd;
				fd = -1;
			}
			r = 1;
		}
		if (fd >= 0)
			close(fd);
		df_msg_clear(&m);
		if (r != 0)
			return r < 0 ? r : 0;
	}
}

int df_client_call_fd(struct df_client *c, const char *method, struct json_object *params,
		      struct json_object **result, int *fd_out)
{
	return df_client_call_fds(c, method, params, -1, result, fd_out);
}

int df_client_call(struct df_client *c, const char *method, struct json_object *params,
		   struct json_object **result)
{
	return df_client_call_fd(c, method, params, result, NULL);
}

int df_client_hello(struct df_client *c, const char *client_name, struct json_object **result)
{
	struct json_object *p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "version", json_object_new_int(DF_PROTOCOL_VERSION));
	if (client_name)
		json_object_object_add(p, "client", json_object_new_string(client_name));
	int r = df_client_call(c, "hello", p, result);
	json_object_put(p);
	return r;
}

int df_client_get_lease(struct df_client *c, const char *vm, int *fd, struct json_object **info)
{
	struct json_object *p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "vm", json_object_new_string(vm));
	struct json_object *res = NULL;
	int lfd = -1;
	int r = df_client_call_fd(c, "get-lease", p, &res, &lfd);
	json_object_put(p);
	if (r == 0 && lfd < 0)
		r = set_error(c, -EPROTO, "directflipd answered get-lease without an fd");
	if (r < 0) {
		json_object_put(res);
		return r;
	}
	*fd = lfd;
	if (info)
		*info = res;
	else
		json_object_put(res);
	return 0;
}

int df_client_subscribe(struct df_client *c, const char *const *events)
{
	struct json_object *p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	if (events) {
		struct json_object *a = json_object_new_array();
		for (size_t i = 0; events[i]; i++)
			json_object_array_add(a, json_object_new_string(events[i]));
		json_object_object_add(p, "events", a);
	}
	int r = df_client_call(c, "subscribe", p, NULL);
	json_object_put(p);
	return r;
}

int df_client_next_event(struct df_client *c, int timeout_ms, struct json_object **event)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	while (c->ev_len == 0) {
		int left = -1;
		if (deadline >= 0) {
			int64_t l = deadline - now_ms();
			left = l < 0 ? 0 : (int)l;
		}
		struct df_msg m;
		int fd;
		int r = receive(c, left, &m, &fd);
		if (r < 0)
			return r;
		if (fd >= 0)
			close(fd);
		if (m.kind == DF_MSG_EVENT)
			keep_event(c, &m);
		df_msg_clear(&m);
	}
	*event = c->events[c->ev_head];
	c->ev_head = (c->ev_head + 1) % EVENT_QUEUE;
	c->ev_len--;
	return 0;
}
