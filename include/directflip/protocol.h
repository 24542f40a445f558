/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The directflipd control protocol (docs/protocol.md).
 *
 * A Unix socket of type SOCK_SEQPACKET: one JSON object per packet, file
 * descriptors attached with SCM_RIGHTS.
 *   request  {"id": N, "method": "NAME", "params": {...}}
 *   reply    {"id": N, "result": {...}}
 *   error    {"id": N|null, "error": {"code": -ERRNO, "message": "..."}}
 *   event    {"event": "NAME", ...}
 * This module only encodes and decodes; it does no I/O. The daemon and the
 * client library both link it, so they cannot disagree on the format.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

#define DF_PROTOCOL_VERSION 1
#define DF_SOCKET_DEFAULT "/run/directflip/control"
/* Overrides the socket path for clients (vgpu-assign --socket wins). */
#define DF_SOCKET_ENV "DIRECTFLIP_SOCKET"
/* Set by `vgpu-assign exec` for the command: the lease fd number. */
#define DF_LEASE_FD_ENV "DIRECTFLIP_LEASE_FD"
/* The sources map-plane takes, as every help text and error lists them. */
#define DF_SOURCES_TEXT "fb:ID, fb:PATH, gvt-sysfs:PATH[#PLANE], vfio:PATH[#MDEV] or client"

/* Limits the daemon enforces (docs/protocol.md, "Limits"). */
#define DF_MAX_CLIENTS 64
#define DF_MAX_CLIENTS_PER_UID 16     /* for non-admin uids */
#define DF_MAX_PACKET (64 * 1024)
#define DF_MAX_OUTSTANDING 16         /* requests read but not yet answered */
#define DF_MAX_FDS 1                  /* per inbound message; more is abuse */
#define DF_MAX_JSON_DEPTH 16
#define DF_MAX_NAME 64                /* method, event, vm and monitor names */
/* Ids are JSON integers a double can carry exactly. */
#define DF_MAX_ID ((int64_t)1 << 53)

enum df_method {
	DF_METHOD_HELLO,
	DF_METHOD_STATUS,
	DF_METHOD_LIST_MONITORS,
	DF_METHOD_LIST_VMS,
	DF_METHOD_LIST_LEASES,
	DF_METHOD_BIND,
	DF_METHOD_UNBIND,
	DF_METHOD_MAP_PLANE,
	DF_METHOD_GET_LEASE,
	DF_METHOD_SUBSCRIBE,
	DF_METHOD_RELOAD,
	DF_METHOD_SCANOUT_DMABUF,
	DF_METHOD_UPDATE_DMABUF,
	DF_METHOD_TAKE_LEASE,
	DF_METHOD_COUNT,
};

enum df_event {
	DF_EVENT_MONITOR_ADDED,
	DF_EVENT_MONITOR_REMOVED,
	DF_EVENT_BINDING_CHANGED,
	DF_EVENT_LEASE_GRANTED,
	DF_EVENT_LEASE_REVOKED,
	DF_EVENT_ERROR,
	DF_EVENT_SEAT_DISABLED,
	DF_EVENT_SEAT_ENABLED,
	DF_EVENT_FOCUS_CHANGED,
	DF_EVENT_SOURCE_GONE,
	DF_EVENT_LEASE_TAKEOVER,
	DF_EVENT_COUNT,
};

/* "hello", "list-monitors", ...; NULL out of range. */
const char *df_method_name(enum df_method m);
/* -ENOENT for a name that is not a method. */
int df_method_lookup(const char *name, enum df_method *out);
const char *df_event_name(enum df_event e);
int df_event_lookup(const char *name, enum df_event *out);

/* "EPERM" for -EPERM; "E?" for codes it does not know. */
const char *df_error_name(int code);

enum df_msg_kind {
	DF_MSG_REQUEST,
	DF_MSG_REPLY,
	DF_MSG_ERROR,
	DF_MSG_EVENT,
};

/* A decoded message. Strings and objects point into root, which the
 * message owns until df_msg_clear. */
struct df_msg {
	enum df_msg_kind kind;
	int64_t id;                  /* -1 when absent or null */
	const char *name;            /* request: method; event: event name */
	struct json_object *body;    /* request: params (never NULL: {} when absent);
				      * reply: result; event: the whole event object */
	int code;                    /* error: negative errno */
	const char *message;         /* error */
	struct json_object *root;
};

/* Decodes one packet of len bytes (not NUL-terminated). On failure returns
 * -EMSGSIZE (over DF_MAX_PACKET), -EBADMSG (not a JSON object), -EPROTO
 * (an object of the wrong shape) and writes why into err; out then holds
 * nothing but out->id, the request id when one could be read (-1 if not),
 * so that the error reply can name it. */
int df_msg_decode(const void *buf, size_t len, struct df_msg *out, char *err, size_t errlen);
void df_msg_clear(struct df_msg *m);

/* Encoders: *out is a malloc'ed NUL-terminated string. The json objects
 * are borrowed. -ENOMEM, -EINVAL (bad argument), or -EMSGSIZE when the
 * message would not fit in DF_MAX_PACKET. id < 0 encodes null. */
int df_encode_request(int64_t id, const char *method, struct json_object *params, char **out);
int df_encode_reply(int64_t id, struct json_object *result, char **out);
int df_encode_error(int64_t id, int code, const char *message, char **out);
/* fields (may be NULL) are copied next to "event". */
int df_encode_event(const char *event, struct json_object *fields, char **out);

/*
 * Typed access to request params, with messages that name the parameter
 * and say what was expected. Absent or null is -ENOENT with *out untouched
 * when !required, -EINVAL with a message when required; a wrong type or
 * value is -EINVAL with a message.
 */
int df_param_string(struct json_object *params, const char *key, bool required,
		    const char **out, char *err, size_t errlen);
int df_param_uint(struct json_object *params, const char *key, bool required, uint32_t min,
		  uint32_t max, uint32_t *out, char *err, size_t errlen);
int df_param_bool(struct json_object *params, const char *key, bool required, bool *out,
		  char *err, size_t errlen);
/* -EINVAL naming the first key of params not in the NULL-terminated known. */
int df_params_only(struct json_object *params, const char *const *known, char *err,
		   size_t errlen);

#ifdef __cplusplus
}
#endif
