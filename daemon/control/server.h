/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>

/*
 * The control socket (docs/protocol.md): listening, per-client state,
 * limits, and sending replies and events. What each method does is in
 * control-methods.c.
 */
struct control;
struct daemon;
struct json_object;

/* listen_fd >= 0 is a socket from systemd, taken over; otherwise path is
 * created (see control-listen.h). group (name or gid, may be NULL) makes
 * its members administrators. Logs why on failure. */
int control_create(struct daemon *d, int listen_fd, const char *path, const char *group,
		   struct control **out);
/* A VM's capability socket at path: only that VM's owner (and admins) may
 * connect, and it serves only hello, subscribe (that VM's events) and
 * get-lease for that VM. Logs why on failure. */
int control_create_vm(struct daemon *d, const char *path, const char *vm, const char *group,
		      struct control **out);
void control_destroy(struct control *c);
/* Sends {"event": event, ...fields} to every client subscribed to it; on a
 * VM's socket, only events whose "vm" field names that VM. */
void control_broadcast(struct control *c, const char *event, struct json_object *fields);
size_t control_n_clients(const struct control *c);
const char *control_path(const struct control *c);
