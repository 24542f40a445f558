/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * libdirectflip-client: a small blocking client for directflipd's control
 * socket (docs/protocol.md). A VMM uses it to take its VM's lease fd:
 *
 *     struct df_client *c;
 *     if (df_client_connect(NULL, &c) < 0) ...
 *     int fd;
 *     if (df_client_get_lease(c, "vm1", &fd, NULL) < 0)
 *             fprintf(stderr, "%s\n", df_client_error(c));
 *
 * Functions return 0 or a negative errno. When the daemon answered with
 * an error, that error's code is returned and df_client_error() has its
 * message. pkg-config name: directflip-client. Not thread-safe: one
 * connection per thread.
 */
#include <stdbool.h>

#include "directflip/protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

struct df_client;
struct json_object;

/* path NULL: $DIRECTFLIP_SOCKET, else DF_SOCKET_DEFAULT. The fd is
 * O_CLOEXEC. Does not send hello; df_client_hello does. */
int df_client_connect(const char *path, struct df_client **out);
void df_client_close(struct df_client *c);
/* For poll(): readable when an event or a reply has arrived. */
int df_client_fd(const struct df_client *c);
/* The daemon's message for the last error, or a local description. */
const char *df_client_error(const struct df_client *c);

/* Checks the protocol version; *result (may be NULL) is the daemon's
 * answer, with "server", "methods", "admin" and "limits". */
int df_client_hello(struct df_client *c, const char *client_name, struct json_object **result);
/* Sends method with params (borrowed, may be NULL) and waits for its
 * reply; events that arrive meanwhile are kept for df_client_next_event.
 * *result (may be NULL) is owned by the caller: json_object_put it. */
int df_client_call(struct df_client *c, const char *method, struct json_object *params,
		   struct json_object **result);
/* The same, for a reply that carries an fd: *fd is O_CLOEXEC, or -1 when
 * the reply had none. */
int df_client_call_fd(struct df_client *c, const char *method, struct json_object *params,
		      struct json_object **result, int *fd);
/* The same, sending fd_in (borrowed; -1 for none) with the request:
 * scanout-dmabuf takes the dma-buf this way. */
int df_client_call_fds(struct df_client *c, const char *method, struct json_object *params,
		       int fd_in, struct json_object **result, int *fd_out);
/* The VM's DRM lease fd (O_CLOEXEC): the caller is DRM master of that
 * VM's CRTC, connector and planes. -EPERM for a non-owner, -EAGAIN when
 * the VM has no lease now. *info (may be NULL) describes the lease. */
int df_client_get_lease(struct df_client *c, const char *vm, int *fd,
			struct json_object **info);
/* events: NULL-terminated names, or NULL for all. */
int df_client_subscribe(struct df_client *c, const char *const *events);
/* The next event ({"event": NAME, ...}): waits up to timeout_ms (-1 for
 * ever). -ETIMEDOUT when none came, -ECONNRESET when the daemon went away. */
int df_client_next_event(struct df_client *c, int timeout_ms, struct json_object **event);

#ifdef __cplusplus
}
#endif
