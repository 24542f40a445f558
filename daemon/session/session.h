/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <systemd/sd-event.h>

/* The seat: libseat on the daemon's loop. Device fds come from here so
 * that master rights follow the session (VT switches, logind). */
struct session;

struct session_listener {
	void (*enable)(void *data);
	void (*disable)(void *data);
};

/* Returns once the seat is active, or an error. */
int session_create(sd_event *loop, const struct session_listener *listener, void *data,
		   struct session **out);
void session_destroy(struct session *s);
bool session_active(const struct session *s);
const char *session_seat_name(const struct session *s);
/* *device_id is for session_close_device. */
int session_open_device(struct session *s, const char *path, int *fd, int *device_id);
void session_close_device(struct session *s, int device_id);
