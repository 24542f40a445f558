/* SPDX-License-Identifier: MIT */
/*
 * The control socket server. Every client is a SOCK_SEQPACKET connection
 * with a bounded queue of messages the kernel would not take yet. Each
 * packet is one request; it is decoded, checked against the limits and
 * answered at once (methods do not block), so "outstanding" requests are
 * the ones whose replies still wait in that queue because the client does
 * not read. Limits are answered with an error; only abuse drops the
 * connection: an oversized packet, more fds than allowed, garbage again
 * and again, or a queue that overflows because the client never reads.
 */
#include "daemon/control/server.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "daemon/control/auth.h"
#include "daemon/control/listen.h"
#include "daemon/control/methods.h"
#include "daemon/log.h"
#include "daemon/state/events.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "directflip/protocol.h"

/* Replies up to the outstanding limit, as many limit errors again, and
 * room for events; a client that lets this fill up is not reading. */
#define QUEUE_MAX (DF_MAX_OUTSTANDING * 2 + 64)
/* Undecodable messages in a row before the connection is dropped. */
#define MAX_STRIKES 8
/* Packets read from one client per wakeup, so one client cannot starve others. */
#define READS_PER_WAKEUP 32

struct out_msg {
	char *data;
	size_t len;
	int fd;       /* owned; -1 */
	bool reply;
};

struct client {
	struct control *ctl;
	struct client *next;
	int fd;
	sd_event_source *src;
	struct control_peer peer;
	struct out_msg queue[QUEUE_MAX];
	size_t q_head, q_len;
	unsigned replies_queued;
	unsigned strikes;
	uint32_t events;      /* bit per enum df_event */
	bool dead;            /* dropped; freed by the reaper */
};

struct control {
	struct state *st;
	int fd;
	sd_event_source *src;
	sd_event_source *retry;   /* accept paused after EMFILE */
	sd_event_source *reaper;  /* frees dropped clients once no call is on the stack */
	char *path;
	bool created;             /* we made the file: unlink it at the end */
	char *group;
	char *vm;                 /* a VM's capability socket: serves only this VM */
	bool has_gid;
	gid_t gid;
	struct client *clients;
	size_t n_clients;
	char *buf;                /* one packet, shared: requests are handled at once */
};

static void client_free(struct client *c)
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
static void client_drop(struct client *c, const char *why)
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

static int on_reap(sd_event_source *src, void *data)
{
	struct control *ctl = data;
	struct client *next;
	for (struct client *c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			client_free(c);
	}
	return 0;
}

/* 0 when sent or queued; <0 when the client is gone or not reading. */
static int client_flush(struct client *c)
{
	while (c->q_len > 0) {
		struct out_msg *m = &c->queue[c->q_head];
		struct iovec iov = { m->data, m->len };
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (m->fd >= 0) {
			memset(&cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf.b;
			mh.msg_controllen = sizeof(cbuf.b);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &m->fd, sizeof(int));
		}
		if (sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno == EINTR)
				continue;
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
static int client_queue(struct client *c, char *data, int fd, bool reply)
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
	return client_queue(c, text, -1, true);
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
	if (ctl->vm && meth != DF_METHOD_HELLO && meth != DF_METHOD_GET_LEASE &&
	    meth != DF_METHOD_TAKE_LEASE && meth != DF_METHOD_SUBSCRIBE) {
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
	return client_queue(c, text, fd, true);
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

static int on_client_io(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct client *c = data;
	if ((revents & EPOLLOUT) && client_flush(c) < 0) {
		client_drop(c, "the connection failed while sending");
		return 0;
	}
	if (revents & EPOLLIN) {
		for (int i = 0; i < READS_PER_WAKEUP && !c->dead; i++) {
			const char *why = NULL;
			int r = client_read(c, &why);
			if (r == 0)
				break;
			if (r < 0)
				client_drop(c, why);
		}
	} else if (revents & (EPOLLHUP | EPOLLERR)) {
		client_drop(c, NULL);
	}
	return 0;
}

/* Said once, then closed: the limit is reported, not silently enforced. */
static void refuse(int fd, int code, const char *message)
{
	char *text = NULL;
	if (df_encode_error(-1, code, message, &text) == 0)
		send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(text);
	close(fd);
}

static int on_retry(sd_event_source *src, uint64_t usec, void *data)
{
	struct control *ctl = data;
	sd_event_source_set_enabled(ctl->src, SD_EVENT_ON);
	return 0;
}

static size_t count_live(const struct control *ctl, const uid_t *uid)
{
	size_t n = 0;
	for (const struct client *c = ctl->clients; c; c = c->next)
		n += !c->dead && (!uid || c->peer.uid == *uid);
	return n;
}

/* A burst of connect-and-close is accepted in one go, before the hangups
 * are seen; those clients must not hold slots a live one is refused for.
 * A hung-up client with a request still unread keeps its slot. */
static void prune_hung_up(struct control *ctl)
{
	for (struct client *c = ctl->clients; c; c = c->next) {
		if (c->dead)
			continue;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		char b;
		/* A closed peer reads as POLLHUP|POLLIN; the peek tells if data waits. */
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) &&
		    recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
			client_drop(c, NULL);
	}
}

/* A VM's socket takes only that VM's owner and admins, checked against the
 * layout as it is now (a reload may have changed the owner). */
static bool may_use_vm(const struct control *ctl, const struct control_peer *peer, char *msg,
		       size_t len)
{
	if (peer->admin)
		return true;
	const struct state *d = ctl->st;
	const struct config_vm *cv = NULL;
	for (size_t i = 0; i < d->n_vms && !cv; i++)
		if (strcmp(d->vms[i]->name, ctl->vm) == 0)
			cv = d->vms[i]->cfg;
	if (cv && cv->has_owner && cv->owner_uid == peer->uid)
		return true;
	if (cv && cv->has_owner)
		snprintf(msg, len, "uid %u may not use vm %s's socket: it belongs to owner %s (uid %u)",
			 (unsigned)peer->uid, ctl->vm, cv->owner, (unsigned)cv->owner_uid);
	else
		snprintf(msg, len, "uid %u may not use vm %s's socket: the vm has no owner= in the "
				   "layout, so only administrators may",
			 (unsigned)peer->uid, ctl->vm);
	return false;
}

static void accept_one(struct control *ctl, int fd)
{
	struct control_peer peer;
	int r = control_auth_peer(fd, ctl->has_gid, ctl->gid, &peer);
	if (r < 0) {
		log_errno(r, "control: cannot read the peer credentials, refusing");
		close(fd);
		return;
	}
	char msg[160 + 2 * DF_MAX_NAME];
	if (ctl->vm && !may_use_vm(ctl, &peer, msg, sizeof(msg))) {
		log_warn("control: vm=%s socket: client pid=%d uid=%u refused: %s", ctl->vm,
			 (int)peer.pid, (unsigned)peer.uid, msg);
		refuse(fd, -EPERM, msg);
		return;
	}
	size_t live = count_live(ctl, NULL);
	if (live >= DF_MAX_CLIENTS) {
		prune_hung_up(ctl);
		live = count_live(ctl, NULL);
	}
	if (live >= DF_MAX_CLIENTS) {
		snprintf(msg, sizeof(msg), "too many clients (at most %d); try again later",
			 DF_MAX_CLIENTS);
		log_warn("control: client pid=%d uid=%u refused: %s", (int)peer.pid,
			 (unsigned)peer.uid, msg);
		refuse(fd, -EUSERS, msg);
		return;
	}
	if (!peer.admin) {
		size_t same = count_live(ctl, &peer.uid);
		if (same >= DF_MAX_CLIENTS_PER_UID) {
			prune_hung_up(ctl);
			same = count_live(ctl, &peer.uid);
		}
		if (same >= DF_MAX_CLIENTS_PER_UID) {
			snprintf(msg, sizeof(msg),
				 "too many connections from uid %u (at most %d); close some",
				 (unsigned)peer.uid, DF_MAX_CLIENTS_PER_UID);
			refuse(fd, -EUSERS, msg);
			return;
		}
	}
	struct client *c = calloc(1, sizeof(*c));
	if (!c) {
		refuse(fd, -ENOMEM, "out of memory");
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->peer = peer;
	r = sd_event_add_io(sd_event_source_get_event(ctl->src), &c->src, fd, EPOLLIN,
			    on_client_io, c);
	if (r < 0) {
		free(c);
		refuse(fd, r, "the daemon cannot watch this connection");
		return;
	}
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->n_clients++;
	log_debug("control: client pid=%d uid=%u connected%s", (int)peer.pid, (unsigned)peer.uid,
		  peer.admin ? " (admin)" : "");
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct control *ctl = data;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd >= 0) {
			accept_one(ctl, cfd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* Level-triggered: pause instead of spinning until fds free up. */
			log_warn("control: out of file descriptors; not accepting for 1 s");
			sd_event_source_set_enabled(src, SD_EVENT_OFF);
			uint64_t now;
			sd_event_now(sd_event_source_get_event(src), CLOCK_MONOTONIC, &now);
			if (!ctl->retry)
				sd_event_add_time(sd_event_source_get_event(src), &ctl->retry,
						  CLOCK_MONOTONIC, now + 1000000, 0, on_retry, ctl);
			else
				sd_event_source_set_time(ctl->retry, now + 1000000);
			sd_event_source_set_enabled(ctl->retry, SD_EVENT_ONESHOT);
		}
		break;
	}
	return 0;
}

static int create(struct state *d, int listen_fd, const char *path, const char *vm,
		  const char *group, struct control **out)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		if (listen_fd >= 0)
			close(listen_fd);
		return log_errno(-ENOMEM, "control socket");
	}
	ctl->st = d;
	ctl->fd = -1;
	int r = -ENOMEM;
	ctl->path = strdup(path ? path : "(from systemd)");
	ctl->buf = malloc(DF_MAX_PACKET);
	if (!ctl->path || !ctl->buf || (group && !(ctl->group = strdup(group))) ||
	    (vm && !(ctl->vm = strdup(vm)))) {
		if (listen_fd >= 0)
			close(listen_fd);
		log_error("control socket: out of memory");
		goto fail;
	}
	if (group) {
		r = control_auth_group(group, &ctl->gid);
		if (r < 0) {
			log_errno(r, "[daemon] socket-group '%s' is not a group on this system",
				  group);
			if (listen_fd >= 0)
				close(listen_fd);
			goto fail;
		}
		ctl->has_gid = true;
	}
	char err[512] = "";
	if (listen_fd >= 0) {
		ctl->fd = listen_fd;
		r = control_listen_adopt(listen_fd, path, err, sizeof(err));
	} else {
		r = control_listen_path(path, group, ctl->has_gid, ctl->gid, &ctl->fd, err, sizeof(err));
		ctl->created = r == 0;
	}
	if (r < 0) {
		if (vm)
			log_error("vm=%s socket: %s", vm, err[0] ? err : strerror(-r));
		else
			log_error("control socket: %s", err[0] ? err : strerror(-r));
		goto fail;
	}
	r = sd_event_add_io(d->loop, &ctl->src, ctl->fd, EPOLLIN, on_accept, ctl);
	if (r >= 0)
		r = sd_event_add_defer(d->loop, &ctl->reaper, on_reap, ctl);
	if (r >= 0)
		r = sd_event_source_set_enabled(ctl->reaper, SD_EVENT_OFF);
	if (r < 0) {
		log_errno(r, "control socket: cannot watch it");
		goto fail;
	}
	if (vm)
		log_info("vm=%s socket=%s", vm, ctl->path);
	else
		log_info("control socket=%s%s group=%s", ctl->path,
			 listen_fd >= 0 ? " (socket activation)" : "", group ? group : "-");
	*out = ctl;
	return 0;
fail:
	control_destroy(ctl);
	return r;
}

int control_create(struct state *d, int listen_fd, const char *path, const char *group,
		   struct control **out)
{
	return create(d, listen_fd, path, NULL, group, out);
}

int control_create_vm(struct state *d, const char *path, const char *vm, const char *group,
		      struct control **out)
{
	return create(d, -1, path, vm, group, out);
}

void control_destroy(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	sd_event_source_disable_unref(ctl->src);
	sd_event_source_disable_unref(ctl->retry);
	sd_event_source_disable_unref(ctl->reaper);
	if (ctl->fd >= 0)
		close(ctl->fd);
	if (ctl->created)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl->group);
	free(ctl->vm);
	free(ctl->buf);
	free(ctl);
}

/* An event's fields as docs/protocol.md shows them. */
static struct json_object *event_fields(const struct event *e)
{
	struct json_object *f = json_object_new_object();
	if (!f)
		return NULL;
	if (e->type == DF_EVENT_FOCUS_CHANGED) {
		json_object_object_add(f, "seat", json_object_new_string(e->seat));
		json_object_object_add(f, "vm", e->vm ? json_object_new_string(e->vm) : NULL);
		json_object_object_add(f, "previous",
				       e->previous ? json_object_new_string(e->previous) : NULL);
		return f;
	}
	json_object_object_add(f, "time_us", json_object_new_int64(e->time_us));
	if (e->vm)
		json_object_object_add(f, "vm", json_object_new_string(e->vm));
	if (e->monitor)
		json_object_object_add(f, "monitor", json_object_new_string(e->monitor));
	if (e->detail)
		json_object_object_add(f, "detail", json_object_new_string(e->detail));
	return f;
}

void control_send_event(struct control *ctl, const struct event *e)
{
	if (!ctl || (unsigned)e->type >= DF_EVENT_COUNT)
		return;
	/* A VM's socket: only events about that VM. */
	if (ctl->vm && (!e->vm || strcmp(e->vm, ctl->vm) != 0))
		return;
	struct json_object *fields = event_fields(e);
	char *text = NULL;
	int r = fields ? df_encode_event(df_event_name(e->type), fields, &text) : -ENOMEM;
	json_object_put(fields);
	if (r < 0)
		return;
	struct client *next;
	for (struct client *c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->dead || !(c->events & (1u << e->type)))
			continue;
		char *copy = strdup(text);
		if (!copy || client_queue(c, copy, -1, false) < 0)
			client_drop(c, "does not read its events");
	}
	free(text);
}

size_t control_n_clients(const struct control *ctl)
{
	return ctl ? ctl->n_clients : 0;
}

const char *control_path(const struct control *ctl)
{
	return ctl ? ctl->path : NULL;
}
