/* SPDX-License-Identifier: MIT */
/*
 * The control socket server: listening, admitting clients within the
 * limits (conn.c serves each one), and sending events to subscribers.
 * "Outstanding" requests are the ones whose replies still wait in a
 * connection's queue because the client does not read. Limits are
 * answered with an error; only abuse drops the connection.
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
#include "daemon/control/conn.h"
#include "daemon/control/listen.h"
#include "daemon/control/methods.h"
#include "daemon/log.h"
#include "daemon/state/events.h"
#include "daemon/state/state.h"
#include "daemon/state/vm.h"
#include "directflip/protocol.h"

static int on_reap(sd_event_source *src, void *data)
{
	struct control *ctl = data;
	struct client *next;
	for (struct client *c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
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
			conn_drop(c, NULL);
	}
}

/* A VM's socket takes only that VM's owner and admins, checked against the
 * layout as it is now (a reload may have changed the owner). */
static bool may_use_vm(const struct control *ctl, const struct control_peer *peer, char *msg,
		       size_t len)
{
	const struct vm *vm = state_vm(ctl->st, ctl->vm, NULL);
	const struct config_vm *cv = vm ? vm->cfg : NULL;
	if (control_auth_may_use(peer, cv))
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
			    conn_on_io, c);
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
		conn_free(ctl->clients);
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
		if (!copy || conn_queue(c, copy, -1, false) < 0)
			conn_drop(c, "does not read its events");
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
