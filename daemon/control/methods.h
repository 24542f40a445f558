/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/control/auth.h"
#include "directflip/protocol.h"

struct state;
struct json_object;

/* One request as a method sees it, and what it answers. */
struct control_call {
	struct state *st;
	const struct control_peer *peer;
	const char *group;              /* the admin group as configured, or NULL */
	const char *scope;              /* a VM's capability socket: that VM; or NULL */
	size_t n_clients;
	struct json_object *params;     /* never NULL */
	const void *conn;               /* the connection, for what it feeds */
	int fd_in;                      /* sent with the request; borrowed; -1 */

	/* Set by the method: result on success, or message on failure (the
	 * return value is the code). */
	struct json_object *result;
	int fd;                         /* to attach to the reply; borrowed; -1 */
	bool subscribe;                 /* set events as the client's subscription */
	uint32_t events;                /* bit per enum df_event */
	char message[512];
};

/* Whether method m takes an fd from the client (scanout-dmabuf). */
bool control_method_takes_fd(enum df_method m);
/* Whether a VM's own socket serves method m (for that VM only). */
bool control_method_on_vm_socket(enum df_method m);
/* The connection conn is closing: what it fed goes dark. */
void control_methods_conn_gone(struct state *st, const void *conn);
/* Runs method m: 0, or a negative errno with call->message saying what
 * went wrong, about which object, and what to do. */
int control_method_call(enum df_method m, struct control_call *call);
