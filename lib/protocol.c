/* SPDX-License-Identifier: MIT */
/*
 * Encoding and decoding of control protocol messages. Pure: no I/O, no
 * globals. Decoding is strict (RFC 8259 JSON, UTF-8, bounded depth, the
 * whole packet is one object) because its input comes from any local
 * process; tests/fuzz/fuzz_protocol.c fuzzes it.
 */
#include "directflip/protocol.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))

static const char *const method_names[DF_METHOD_COUNT] = {
	[DF_METHOD_HELLO] = "hello",
	[DF_METHOD_STATUS] = "status",
	[DF_METHOD_LIST_MONITORS] = "list-monitors",
	[DF_METHOD_LIST_VMS] = "list-vms",
	[DF_METHOD_LIST_LEASES] = "list-leases",
	[DF_METHOD_BIND] = "bind",
	[DF_METHOD_UNBIND] = "unbind",
	[DF_METHOD_MAP_PLANE] = "map-plane",
	[DF_METHOD_GET_LEASE] = "get-lease",
	[DF_METHOD_SUBSCRIBE] = "subscribe",
	[DF_METHOD_RELOAD] = "reload",
	[DF_METHOD_SCANOUT_DMABUF] = "scanout-dmabuf",
	[DF_METHOD_UPDATE_DMABUF] = "update-dmabuf",
	[DF_METHOD_TAKE_LEASE] = "take-lease",
};

static const char *const event_names[DF_EVENT_COUNT] = {
	[DF_EVENT_MONITOR_ADDED] = "monitor-added",
	[DF_EVENT_MONITOR_REMOVED] = "monitor-removed",
	[DF_EVENT_BINDING_CHANGED] = "binding-changed",
	[DF_EVENT_LEASE_GRANTED] = "lease-granted",
	[DF_EVENT_LEASE_REVOKED] = "lease-revoked",
	[DF_EVENT_ERROR] = "error",
	[DF_EVENT_SEAT_DISABLED] = "seat-disabled",
	[DF_EVENT_SEAT_ENABLED] = "seat-enabled",
	[DF_EVENT_FOCUS_CHANGED] = "focus-changed",
	[DF_EVENT_SOURCE_GONE] = "source-gone",
	[DF_EVENT_LEASE_TAKEOVER] = "lease-takeover",
};

const char *df_method_name(enum df_method m)
{
	return (unsigned)m < DF_METHOD_COUNT ? method_names[m] : NULL;
}

int df_method_lookup(const char *name, enum df_method *out)
{
	for (int i = 0; i < DF_METHOD_COUNT; i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*out = (enum df_method)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *df_event_name(enum df_event e)
{
	return (unsigned)e < DF_EVENT_COUNT ? event_names[e] : NULL;
}

int df_event_lookup(const char *name, enum df_event *out)
{
	for (int i = 0; i < DF_EVENT_COUNT; i++) {
		if (strcmp(name, event_names[i]) == 0) {
			*out = (enum df_event)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *df_error_name(int code)
{
	switch (-code) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EPROTO: return "EPROTO";
	case EBADMSG: return "EBADMSG";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EUSERS: return "EUSERS";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	}
	return "E?";
}

static void say(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* A JSON integer within [0, DF_MAX_ID]; doubles and strings are not ids. */
static bool read_id(struct json_object *o, int64_t *out)
{
	if (!json_object_is_type(o, json_type_int))
		return false;
	int64_t v = json_object_get_int64(o);
	if (v < 0 || v > DF_MAX_ID)
		return false;
	*out = v;
	return true;
}

static bool name_ok(struct json_object *o)
{
	if (!json_object_is_type(o, json_type_string))
		return false;
	int len = json_object_get_string_len(o);
	return len > 0 && len <= DF_MAX_NAME;
}

static struct json_object *parse_object(const char *buf, size_t len, char *err, size_t errlen)
{
	if (len == 0) {
		say(err, errlen, "empty message");
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		say(err, errlen, "a NUL byte in the message");
		return NULL;
	}
	struct json_tokener *tok = json_tokener_new_ex(DF_MAX_JSON_DEPTH);
	if (!tok) {
		say(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root) {
		if (jerr == json_tokener_continue)
			say(err, errlen, "truncated JSON: the message ends inside a value");
		else
			say(err, errlen, "not JSON: %s at byte %zu", json_tokener_error_desc(jerr), end);
		return NULL;
	}
	if (end < len && !only_space(buf + end, len - end)) {
		say(err, errlen, "trailing bytes after the JSON object, at byte %zu", end);
		json_object_put(root);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		say(err, errlen, "the message is JSON but not an object");
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int decode_request(struct json_object *root, struct df_msg *m, char *err, size_t errlen)
{
	struct json_object *id, *method, *params = NULL;
	if (!json_object_object_get_ex(root, "id", &id) || !read_id(id, &m->id)) {
		say(err, errlen, "a request needs \"id\": an integer from 0 to 2^53");
		return -EPROTO;
	}
	json_object_object_get_ex(root, "method", &method);
	if (!name_ok(method)) {
		say(err, errlen, "\"method\" must be a string of 1 to %d bytes", DF_MAX_NAME);
		return -EPROTO;
	}
	json_object_object_get_ex(root, "params", &params);
	if (params && !json_object_is_type(params, json_type_object)) {
		say(err, errlen, "\"params\" must be an object");
		return -EPROTO;
	}
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "id") && strcmp(key, "method") && strcmp(key, "params")) {
			say(err, errlen, "unknown member \"%.32s\" in a request", key);
			return -EPROTO;
		}
	}
	if (!params) {
		params = json_object_new_object();
		if (!params) {
			say(err, errlen, "out of memory");
			return -ENOMEM;
		}
		/* Owned by root from here, so clear frees it. */
		json_object_object_add(root, "params", params);
	}
	m->kind = DF_MSG_REQUEST;
	m->name = json_object_get_string(method);
	m->body = params;
	return 0;
}

static int decode_reply(struct json_object *root, struct df_msg *m, char *err, size_t errlen)
{
	struct json_object *id = NULL, *result = NULL, *error = NULL;
	json_object_object_get_ex(root, "id", &id);
	if (id && !read_id(id, &m->id)) {
		say(err, errlen, "\"id\" must be null or an integer from 0 to 2^53");
		return -EPROTO;
	}
	bool has_result = json_object_object_get_ex(root, "result", &result);
	bool has_error = json_object_object_get_ex(root, "error", &error);
	if (has_result == has_error) {
		say(err, errlen, "a reply has exactly one of \"result\" and \"error\"");
		return -EPROTO;
	}
	if (has_result) {
		if (m->id < 0) {
			say(err, errlen, "a result needs the request's \"id\"");
			return -EPROTO;
		}
		m->kind = DF_MSG_REPLY;
		m->body = result;
		return 0;
	}
	struct json_object *code, *message;
	if (!json_object_is_type(error, json_type_object) ||
	    !json_object_object_get_ex(error, "code", &code) ||
	    !json_object_is_type(code, json_type_int) ||
	    !json_object_object_get_ex(error, "message", &message) ||
	    !json_object_is_type(message, json_type_string)) {
		say(err, errlen, "\"error\" must be {\"code\": integer, \"message\": string}");
		return -EPROTO;
	}
	int64_t c = json_object_get_int64(code);
	if (c >= 0 || c < -4095) {
		say(err, errlen, "an error code is a negative errno value");
		return -EPROTO;
	}
	m->kind = DF_MSG_ERROR;
	m->code = (int)c;
	m->message = json_object_get_string(message);
	return 0;
}

int df_msg_decode(const void *buf, size_t len, struct df_msg *out, char *err, size_t errlen)
{
	struct df_msg m = { .id = -1 };
	*out = m;
	if (len > DF_MAX_PACKET) {
		say(err, errlen, "message of %zu bytes is over the limit of %d", len, DF_MAX_PACKET);
		return -EMSGSIZE;
	}
	m.root = parse_object(buf, len, err, errlen);
	if (!m.root)
		return -EBADMSG;

	int r;
	struct json_object *event;
	if (json_object_object_get_ex(m.root, "method", NULL)) {
		r = decode_request(m.root, &m, err, errlen);
	} else if (json_object_object_get_ex(m.root, "event", &event)) {
		r = 0;
		if (!name_ok(event)) {
			say(err, errlen, "\"event\" must be a string of 1 to %d bytes", DF_MAX_NAME);
			r = -EPROTO;
		} else {
			m.kind = DF_MSG_EVENT;
			m.name = json_object_get_string(event);
			m.body = m.root;
		}
	} else if (json_object_object_get_ex(m.root, "result", NULL) ||
		   json_object_object_get_ex(m.root, "error", NULL)) {
		r = decode_reply(m.root, &m, err, errlen);
	} else {
		/* Still answer with the id when the sender gave one. */
		struct json_object *id;
		if (json_object_object_get_ex(m.root, "id", &id))
			read_id(id, &m.id);
		say(err, errlen, "neither a request (\"method\"), a reply nor an event");
		r = -EPROTO;
	}
	if (r < 0) {
		out->id = m.id;
		json_object_put(m.root);
		return r;
	}
	*out = m;
	return 0;
}

void df_msg_clear(struct df_msg *m)
{
	if (!m)
		return;
	json_object_put(m->root);
	*m = (struct df_msg){ .id = -1 };
}

/* Serializes and takes the reference on root. */
static int finish(struct json_object *root, char **out)
{
	if (!root)
		return -ENOMEM;
	size_t len;
	const char *s = json_object_to_json_string_length(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int r = 0;
	char *copy = NULL;
	if (!s)
		r = -ENOMEM;
	else if (len > DF_MAX_PACKET)
		r = -EMSGSIZE;
	else if (!(copy = strdup(s)))
		r = -ENOMEM;
	json_object_put(root);
	if (r == 0)
		*out = copy;
	return r;
}

static struct json_object *id_json(int64_t id)
{
	return id < 0 ? NULL : json_object_new_int64(id);
}

int df_encode_request(int64_t id, const char *method, struct json_object *params, char **out)
{
	if (id < 0 || id > DF_MAX_ID || !method || !*method)
		return -EINVAL;
	if (params && !json_object_is_type(params, json_type_object))
		return -EINVAL;
	struct json_object *root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	json_object_object_add(root, "id", json_object_new_int64(id));
	json_object_object_add(root, "method", json_object_new_string(method));
	json_object_object_add(root, "params",
			       params ? json_object_get(params) : json_object_new_object());
	return finish(root, out);
}

int df_encode_reply(int64_t id, struct json_object *result, char **out)
{
	if (id < 0 || id > DF_MAX_ID)
		return -EINVAL;
	struct json_object *root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	json_object_object_add(root, "id", json_object_new_int64(id));
	json_object_object_add(root, "result",
			       result ? json_object_get(result) : json_object_new_object());
	return finish(root, out);
}

int df_encode_error(int64_t id, int code, const char *message, char **out)
{
	if (code >= 0 || id > DF_MAX_ID)
		return -EINVAL;
	struct json_object *root = json_object_new_object();
	struct json_object *e = json_object_new_object();
	if (!root || !e) {
		json_object_put(root);
		json_object_put(e);
		return -ENOMEM;
	}
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(message ? message : ""));
	json_object_object_add(root, "id", id_json(id));
	json_object_object_add(root, "error", e);
	return finish(root, out);
}

int df_encode_event(const char *event, struct json_object *fields, char **out)
{
	if (!event || !*event || (fields && !json_object_is_type(fields, json_type_object)))
		return -EINVAL;
	struct json_object *root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	json_object_object_add(root, "event", json_object_new_string(event));
	if (fields) {
		json_object_object_foreach(fields, key, val) {
			if (strcmp(key, "event") != 0)
				json_object_object_add(root, key, json_object_get(val));
		}
	}
	return finish(root, out);
}

static const char *type_word(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fraction";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

/* The value of key, or NULL when absent or null (then -ENOENT/-EINVAL in *r). */
static struct json_object *param(struct json_object *params, const char *key, bool required,
				 int *r, char *err, size_t errlen)
{
	struct json_object *v = NULL;
	if (params)
		json_object_object_get_ex(params, key, &v);
	if (v && !json_object_is_type(v, json_type_null))
		return v;
	if (required) {
		say(err, errlen, "parameter \"%s\" is missing", key);
		*r = -EINVAL;
	} else {
		*r = -ENOENT;
	}
	return NULL;
}

int df_param_string(struct json_object *params, const char *key, bool required,
		    const char **out, char *err, size_t errlen)
{
	int r;
	struct json_object *v = param(params, key, required, &r, err, errlen);
	if (!v)
		return r;
	if (!json_object_is_type(v, json_type_string)) {
		say(err, errlen, "parameter \"%s\" must be a string, not %s", key, type_word(v));
		return -EINVAL;
	}
	if (json_object_get_string_len(v) == 0) {
		say(err, errlen, "parameter \"%s\" is empty", key);
		return -EINVAL;
	}
	*out = json_object_get_string(v);
	return 0;
}

int df_param_uint(struct json_object *params, const char *key, bool required, uint32_t min,
		  uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	int r;
	struct json_object *v = param(params, key, required, &r, err, errlen);
	if (!v)
		return r;
	if (!json_object_is_type(v, json_type_int)) {
		say(err, errlen, "parameter \"%s\" must be an integer from %u to %u, not %s", key,
		    min, max, type_word(v));
		return -EINVAL;
	}
	int64_t n = json_object_get_int64(v);
	if (n < (int64_t)min || n > (int64_t)max) {
		say(err, errlen, "parameter \"%s\" is %lld; it must be from %u to %u", key,
		    (long long)n, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

int df_param_bool(struct json_object *params, const char *key, bool required, bool *out,
		  char *err, size_t errlen)
{
	int r;
	struct json_object *v = param(params, key, required, &r, err, errlen);
	if (!v)
		return r;
	if (!json_object_is_type(v, json_type_boolean)) {
		say(err, errlen, "parameter \"%s\" must be true or false, not %s", key, type_word(v));
		return -EINVAL;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

int df_params_only(struct json_object *params, const char *const *known, char *err,
		   size_t errlen)
{
	if (!params)
		return 0;
	json_object_object_foreach(params, key, val) {
		(void)val;
		bool found = false;
		for (size_t i = 0; known[i] && !found; i++)
			found = strcmp(key, known[i]) == 0;
		if (!found) {
			say(err, errlen, "unknown parameter \"%.32s\"", key);
			return -EINVAL;
		}
	}
	return 0;
}
