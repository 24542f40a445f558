/* SPDX-License-Identifier: MIT */
#include "daemon/session/session.h"

#include <errno.h>
#include <libseat.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

#define SEAT_WAIT_MS 10000

struct session {
	struct libseat *seat;
	sd_event_source *io;
	const struct session_listener *listener;
	void *data;
	bool active;
};

static void handle_enable(struct libseat *seat, void *data)
{
	struct session *s = data;
	s->active = true;
	if (s->listener->enable)
		s->listener->enable(s->data);
}

static void handle_disable(struct libseat *seat, void *data)
{
	struct session *s = data;
	s->active = false;
	if (s->listener->disable)
		s->listener->disable(s->data);
	libseat_disable_seat(seat);
}

static struct libseat_seat_listener seat_listener = {
	.enable_seat = handle_enable,
	.disable_seat = handle_disable,
};

static int on_seat_io(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct session *s = data;
	if (libseat_dispatch(s->seat, 0) < 0) {
		log_errno(-errno, "seat %s: dispatch failed", libseat_seat_name(s->seat));
		return sd_event_exit(sd_event_source_get_event(src), -errno);
	}
	return 0;
}

int session_create(sd_event *loop, const struct session_listener *listener, void *data,
		   struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->listener = listener;
	s->data = data;
	libseat_set_log_level(LIBSEAT_LOG_LEVEL_ERROR);
	s->seat = libseat_open_seat(&seat_listener, s);
	if (!s->seat) {
		int r = errno ? -errno : -EIO;
		free(s);
		return r;
	}
	/* The enable callback comes through dispatch; wait for it here so
	 * that devices can be opened right away. Dispatch itself is called
	 * without blocking: some backends (noop) block in it even after
	 * delivering the event. */
	/* libseat 0.7.0's noop backend never sends enable: its seat is
	 * always usable (fixed in later releases). */
	const char *backend = getenv("LIBSEAT_BACKEND");
	if (backend && strcmp(backend, "noop") == 0)
		s->active = true;
	for (int waited_ms = 0; !s->active; waited_ms += 100) {
		if (libseat_dispatch(s->seat, 0) < 0) {
			int r = errno ? -errno : -EIO;
			session_destroy(s);
			return r;
		}
		if (s->active)
			break;
		if (waited_ms >= SEAT_WAIT_MS) {
			session_destroy(s);
			return -ETIMEDOUT;
		}
		struct pollfd pfd = { .fd = libseat_get_fd(s->seat), .events = POLLIN };
		poll(&pfd, 1, 100);
	}
	int r = sd_event_add_io(loop, &s->io, libseat_get_fd(s->seat), EPOLLIN, on_seat_io, s);
	if (r < 0) {
		session_destroy(s);
		return r;
	}
	*out = s;
	return 0;
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	sd_event_source_disable_unref(s->io);
	if (s->seat)
		libseat_close_seat(s->seat);
	free(s);
}

bool session_active(const struct session *s)
{
	return s->active;
}

const char *session_seat_name(const struct session *s)
{
	return libseat_seat_name(s->seat);
}

int session_open_device(struct session *s, const char *path, int *fd, int *device_id)
{
	int dfd = -1;
	int id = libseat_open_device(s->seat, path, &dfd);
	if (id < 0)
		return errno ? -errno : -EIO;
	*fd = dfd;
	*device_id = id;
	return 0;
}

void session_close_device(struct session *s, int device_id)
{
	libseat_close_device(s->seat, device_id);
}
