/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>

/*
 * The control socket (docs/protocol.md): listening, per-client state,
 * limits, and sending replies and events. What each method does is in
 * methods.c.
 */
struct control;
struct event;
struct state;

/* listen_fd >= 0 is a socket from systemd, taken over; otherwise path is
 * created (see listen.h). group (name or gid, may be NULL) makes
 * its members administrators. Logs why on failure. */
int control_create(struct state *st, int listen_fd, const char *path, const char *group,
		   struct control **out);
/* A VM's capability socket at path: only that VM's owner (and admins) may
 * connect, and it serves only hello, subscribe (that VM's events) and
 * get-lease for that VM. Logs why on failure. */
int control_create_vm(struct state *st, const char *path, const char *vm, const char *group,
		      struct control **out);
void control_destroy(struct control *c);
/* Sends e as {"event": ..., fields} to every client subscribed to its type;
 * on a VM's socket, only events about that VM. A no-op when c is NULL. */
void control_send_event(struct control *c, const struct event *e);
size_t control_n_clients(const struct control *c);
const char *control_path(const struct control *c);
