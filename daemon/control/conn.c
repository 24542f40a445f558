/* SPDX-License-Identifier: MIT */
/*
 * One control connection: a SOCK_SEQPACKET client with a bounded queue of
 * messages the kernel would not take yet. Each packet is one request; it
 * is decoded, checked against the limits and answered at once (methods do
 * not block). Only abuse drops the connection: an oversized packet, more
 * fds than allowed, garbage again and again, or a queue that overflows
 * because the client never reads.
 */
#include "daemon/control/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/control/methods.h"
#include "daemon/log.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "lib/fdpass.h"

void conn_free(struct client *c)
{
	struct control *ctl = c->ctl;
	for (struct client **p = &ctl->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			ctl->n_clients--;
			break;
		}
	}
	for (size_t i = 0; i < c->q_len; i++) {
		struct out_msg *m = &c->queue[(c->q_head + i) % QUEUE_MAX];
		free(m->data);
		if (m->fd >= 0)
			close(m->fd);
	}
	sd_event_source_disable_unref(c->src);
	close(c->fd);
	control_methods_conn_gone(ctl->st, c);
	free(c);
}

/* Deferred: a broadcast from inside one client's request may drop any
 * client, that one included. why NULL: the client hung up. */
void conn_drop(struct client *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		log_warn("control: client pid=%d uid=%u disconnected: %s", (int)c->peer.pid,
			 (unsigned)c->peer.uid, why);
	c->dead = true;
	sd_event_source_set_enabled(c->src, SD_EVENT_OFF);
	sd_event_source_set_enabled(c->ctl->reaper, SD_EVENT_ONESHOT);
}

/* 0 when sent or queued; <0 when the client is gone or not reading. */
static int client_flush(struct client *c)
{
	while (c->q_len > 0) {
		struct out_msg *m = &c->queue[c->q_head];
		if (fdpass_send(c->fd, m->data, m->len, m->fd, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN)
				return sd_event_source_set_io_events(c->src, EPOLLIN | EPOLLOUT);
			return -errno;
		}
		free(m->data);
		if (m->fd >= 0)
			close(m->fd);
		if (m->reply)
			c->replies_queued--;
		c->q_head = (c->q_head + 1) % QUEUE_MAX;
		c->q_len--;
	}
	return sd_event_source_set_io_events(c->src, EPOLLIN);
}

/* Takes data and fd whatever happens. */
int conn_queue(struct client *c, char *data, int fd, bool reply)
{
	if (c->dead || c->q_len == QUEUE_MAX) {
		free(data);
		if (fd >= 0)
			close(fd);
		return -ENOBUFS;
	}
	c->queue[(c->q_head + c->q_len) % QUEUE_MAX] =
		(struct out_msg){ data, strlen(data), fd, reply };
	c->q_len++;
	if (reply)
		c->replies_queued++;
	/* Behind others: keep the order, wait for EPOLLOUT. */
	if (c->q_len > 1)
		return 0;
	return client_flush(c);
}

static int client_error(struct client *c, int64_t id, int code, const char *message)
{
	char *text = NULL;
	int r = df_encode_error(id, code, message, &text);
	if (r < 0)
		return r;
	return conn_queue(c, text, -1, true);
}

/* Runs one decoded request. */
static int client_call(struct client *c, const struct df_msg *m, int fd_in)
{
	struct control *ctl = c->ctl;
	enum df_method meth;
	if (df_method_lookup(m->name, &meth) < 0) {
		char msg[128 + DF_MAX_NAME];
		snprintf(msg, sizeof(msg),
			 "unknown method \"%s\"; `hello` lists the methods this daemon has",
			 m->name);
		return client_error(c, m->id, -ENOSYS, msg);
	}
	if (ctl->vm && !control_method_on_vm_socket(meth)) {
		char msg[256 + DF_MAX_NAME];
		snprintf(msg, sizeof(msg),
			 "%s is not served on vm %s's socket %s: it serves only get-lease, take-lease, "
			 "subscribe and hello for that vm; use the control socket",
			 m->name, ctl->vm, ctl->path);
		log_warn("control: vm=%s socket: client pid=%d uid=%u refused method %s", ctl->vm,
			 (int)c->peer.pid, (unsigned)c->peer.uid, m->name);
		return client_error(c, m->id, -EACCES, msg);
	}
	struct control_call call = {
		.st = ctl->st,
		.peer = &c->peer,
		.group = ctl->group,
		.scope = ctl->vm,
		.n_clients = ctl->n_clients,
		.params = m->body,
		.conn = c,
		.fd_in = fd_in,
		.fd = -1,
	};
	int r = control_method_call(meth, &call);
	if (r < 0) {
		json_object_put(call.result);
		if (!call.message[0])
			snprintf(call.message, sizeof(call.message), "%s failed: %s", m->name,
				 strerror(-r));
		return client_error(c, m->id, r, call.message);
	}
	if (call.subscribe)
		c->events = call.events;
	char *text = NULL;
	r = df_encode_reply(m->id, call.result, &text);
	json_object_put(call.result);
	if (r < 0)
		return client_error(c, m->id, r, "the reply does not fit in a message");
	int fd = -1;
	if (call.fd >= 0) {
		/* Our own copy: the VM's fd may be closed before this is sent. */
		fd = fcntl(call.fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			free(text);
			return client_error(c, m->id, -errno, "cannot duplicate the lease fd");
		}
	}
	return conn_queue(c, text, fd, true);
}

/* Keeps the first fd in *kept (-1 if none), closes the rest; how many came. */
static int take_fds(struct msghdr *mh, int *kept)
{
	int n = 0;
	*kept = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*kept < 0)
				*kept = fd;
			else
				close(fd);
			n++;
		}
	}
	return n;
}

static int client_read_fd(struct client *c, struct msghdr *mh, ssize_t n, int nfds, int fd_in,
			  const char **why);

/* 1: a packet was handled; 0: nothing to read; <0: drop (message in why). */
static int client_read(struct client *c, const char **why)
{
	struct control *ctl = c->ctl;
	struct iovec iov = { ctl->buf, DF_MAX_PACKET };
	union {
		char b[CMSG_SPACE(sizeof(int) * DF_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			     .msg_controllen = sizeof(cbuf.b) };
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		*why = "receive failed";
		return -errno;
	}
	/* Only a method that takes an fd keeps it; the excess of a truncated
	 * set was already dropped by the kernel. */
	int fd_in = -1;
	int nfds = take_fds(&mh, &fd_in);
	int r = client_read_fd(c, &mh, n, nfds, fd_in, why);
	if (fd_in >= 0)
		close(fd_in);
	return r;
}

static int client_read_fd(struct client *c, struct msghdr *mh, ssize_t n, int nfds, int fd_in,
			  const char **why)
{
	struct control *ctl = c->ctl;
	if (mh->msg_flags & MSG_CTRUNC) {
		client_error(c, -1, -EBADMSG, "more file descriptors than allowed (1 per message)");
		*why = "sent too many file descriptors";
		return -EBADMSG;
	}
	if (mh->msg_flags & MSG_TRUNC) {
		char msg[96];
		snprintf(msg, sizeof(msg), "message over the limit of %d bytes", DF_MAX_PACKET);
		client_error(c, -1, -EMSGSIZE, msg);
		*why = "sent an oversized message";
		return -EMSGSIZE;
	}
	if (n == 0 && nfds == 0) {
		*why = NULL; /* end of connection */
		return -ECONNRESET;
	}

	struct df_msg m;
	char err[256];
	int r = df_msg_decode(ctl->buf, (size_t)n, &m, err, sizeof(err));
	if (r == 0 && m.kind != DF_MSG_REQUEST) {
		snprintf(err, sizeof(err), "clients send requests; this was %s",
			 m.kind == DF_MSG_EVENT ? "an event" : "a reply");
		int64_t id = m.id;
		df_msg_clear(&m);
		m.id = id;
		r = -EPROTO;
	}
	if (r < 0) {
		if (++c->strikes >= MAX_STRIKES) {
			client_error(c, m.id, r, "too many malformed messages; disconnecting");
			*why = "sent malformed messages again and again";
			return r;
		}
		r = client_error(c, m.id, r, err);
		*why = "does not read its replies";
		return r < 0 ? r : 1;
	}
	c->strikes = 0;
	enum df_method meth;
	bool takes_fd = df_method_lookup(m.name, &meth) == 0 && control_method_takes_fd(meth);
	if (nfds > 0 && !takes_fd) {
		r = client_error(c, m.id, -EBADF,
				 "this method takes no file descriptor; the one sent was closed");
	} else if (c->replies_queued >= DF_MAX_OUTSTANDING) {
		char msg[128];
		snprintf(msg, sizeof(msg), "too many outstanding requests (at most %d): read the "
					   "replies before sending more",
			 DF_MAX_OUTSTANDING);
		r = client_error(c, m.id, -EBUSY, msg);
	} else {
		r = client_call(c, &m, fd_in);
	}
	df_msg_clear(&m);
	*why = "does not read its replies";
	return r < 0 ? r : 1;
}

int conn_on_io(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct client *c = data;
	if ((revents & EPOLLOUT) && client_flush(c) < 0) {
		conn_drop(c, "the connection failed while sending");
		return 0;
	}
	if (revents & EPOLLIN) {
		for (int i = 0; i < READS_PER_WAKEUP && !c->dead; i++) {
			const char *why = NULL;
			int r = client_read(c, &why);
			if (r == 0)
				break;
			if (r < 0)
				conn_drop(c, why);
		}
	} else if (revents & (EPOLLHUP | EPOLLERR)) {
		conn_drop(c, NULL);
	}
	return 0;
}
