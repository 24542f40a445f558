/* SPDX-License-Identifier: MIT */
#include "qemu/lease.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "directflip/client.h"
#include "qemu/check.h"
#include "qemu/log.h"

#define RETRY_USEC 500000 /* how often a lost daemon is looked for */

struct lease {
	sd_event *ev;
	char *socket, *vm;
	lease_fn fn;
	void *data;
	struct df_client *c;
	sd_event_source *io, *retry;
	bool have;
	struct lease_info info;
};

static uint32_t get_u32(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	int64_t x = json_object_get_int64(v);
	return x < 0 || x > UINT32_MAX ? 0 : (uint32_t)x;
}

static int parse(struct json_object *o, struct lease_info *i)
{
	struct json_object *planes, *mode, *v;
	*i = (struct lease_info){ .fd = -1, .scaling = KMS_SCALE_FIT };
	i->lessee = get_u32(o, "lessee");
	i->crtc = get_u32(o, "crtc");
	i->cursor = get_u32(o, "cursor");
	if (json_object_object_get_ex(o, "planes", &planes) &&
	    json_object_is_type(planes, json_type_array) && json_object_array_length(planes) > 0) {
		int64_t p = json_object_get_int64(json_object_array_get_idx(planes, 0));
		i->primary = p > 0 && p <= UINT32_MAX ? (uint32_t)p : 0;
	}
	if (json_object_object_get_ex(o, "mode", &mode)) {
		i->mode_w = get_u32(mode, "width");
		i->mode_h = get_u32(mode, "height");
	}
	if (json_object_object_get_ex(o, "scaling", &v) &&
	    check_scaling_parse(json_object_get_string(v), &i->scaling) < 0)
		i->scaling = KMS_SCALE_FIT;
	i->black_on_exit = json_object_object_get_ex(o, "on_vm_exit", &v) &&
			   strcmp(json_object_get_string(v), "black") == 0;
	return i->crtc && i->primary && i->mode_w && i->mode_h ? 0 : -EPROTO;
}

static void drop(struct lease *l, const char *why)
{
	if (!l->have)
		return;
	log_line("action=lease-lost lessee=%u why=\"%s\": no flips until a new grant", l->info.lessee,
		 why);
	l->have = false;
	l->fn(l->data, NULL);
}

/* get-lease: 0 with the lease, -EAGAIN when there is none now. */
static int take(struct lease *l, char *err, size_t n)
{
	int fd = -1;
	struct json_object *o = NULL;
	int r = df_client_get_lease(l->c, l->vm, &fd, &o);
	if (r < 0) {
		snprintf(err, n, "%s", df_client_error(l->c));
		return r == -ENOENT ? -ENODEV : r; /* no such VM, unlike a missing socket */
	}
	struct lease_info i;
	r = parse(o, &i);
	json_object_put(o);
	if (r < 0) {
		close(fd);
		snprintf(err, n, "directflipd's get-lease reply lacks crtc, planes or mode");
		return r;
	}
	if (l->have && i.lessee == l->info.lessee) {
		/* The daemon came back with the lease it kept: ours still works. */
		close(fd);
		log_line("action=lease-kept lessee=%u", i.lessee);
		return 0;
	}
	drop(l, "replaced by a new lease");
	l->info = i;
	l->have = true;
	i.fd = fd; /* the receiver's now */
	log_line("action=lease-taken lessee=%u crtc=%u plane=%u cursor=%u mode=%ux%u scaling=%s "
		 "on-vm-exit=%s",
		 i.lessee, i.crtc, i.primary, i.cursor, i.mode_w, i.mode_h,
		 check_scaling_name(i.scaling), i.black_on_exit ? "black" : "keep");
	l->fn(l->data, &i);
	return 0;
}

static void disconnect(struct lease *l);
static int connect_daemon(struct lease *l, char *err, size_t n);

static bool for_us(struct lease *l, struct json_object *ev, const char *name)
{
	struct json_object *v;
	return json_object_object_get_ex(ev, "event", &v) &&
	       strcmp(json_object_get_string(v), name) == 0 &&
	       json_object_object_get_ex(ev, "vm", &v) &&
	       strcmp(json_object_get_string(v), l->vm) == 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *data)
{
	struct lease *l = data;
	char err[256];
	if (connect_daemon(l, err, sizeof(err)) < 0) {
		sd_event_source_set_time_relative(s, RETRY_USEC);
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct lease *l = data;
	for (;;) {
		struct json_object *ev = NULL;
		int r = df_client_next_event(l->c, 0, &ev);
		if (r == -ETIMEDOUT)
			return 0;
		if (r < 0) {
			/* The daemon went away (a restart): the lease it kept in
			 * systemd's fd store stays ours; look for it again. */
			log_line("action=daemon-lost why=\"%s\": the lease fd is kept; reconnecting",
				 strerror(-r));
			disconnect(l);
			sd_event_source_set_time_relative(l->retry, RETRY_USEC);
			sd_event_source_set_enabled(l->retry, SD_EVENT_ONESHOT);
			return 0;
		}
		char err[256];
		if (for_us(l, ev, "lease-revoked"))
			drop(l, "lease-revoked");
		else if (for_us(l, ev, "lease-granted") && take(l, err, sizeof(err)) < 0)
			log_line("action=get-lease-failed why=\"%s\"", err);
		json_object_put(ev);
	}
}

static void disconnect(struct lease *l)
{
	l->io = sd_event_source_disable_unref(l->io);
	df_client_close(l->c);
	l->c = NULL;
}

static int connect_daemon(struct lease *l, char *err, size_t n)
{
	int r = df_client_connect(l->socket, &l->c);
	if (r < 0) {
		snprintf(err, n, "cannot reach directflipd at %s: %s",
			 l->socket ? l->socket : DF_SOCKET_DEFAULT, strerror(-r));
		l->c = NULL;
		return -ECONNREFUSED;
	}
	static const char *const events[] = { "lease-granted", "lease-revoked", NULL };
	r = df_client_subscribe(l->c, events);
	if (r < 0) {
		snprintf(err, n, "directflipd refused subscribe: %s", df_client_error(l->c));
		disconnect(l);
		return r;
	}
	r = take(l, err, n);
	if (r == -EAGAIN) {
		log_line("action=wait-for-lease why=\"%s\"", err);
		r = 0;
	}
	if (r == 0)
		r = sd_event_add_io(l->ev, &l->io, df_client_fd(l->c), EPOLLIN, on_io, l);
	if (r < 0) {
		disconnect(l);
		return r;
	}
	/* Events that came with the replies are queued in the client. */
	on_io(l->io, -1, 0, l);
	return 0;
}

int lease_new(sd_event *ev, const char *socket, const char *vm, lease_fn fn, void *data,
	      struct lease **out, char *err, size_t n)
{
	struct lease *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ev = ev;
	l->fn = fn;
	l->data = data;
	l->info.fd = -1;
	l->socket = socket ? strdup(socket) : NULL;
	l->vm = strdup(vm);
	int r = l->vm && (!socket || l->socket) ? 0 : -ENOMEM;
	if (r == 0)
		r = sd_event_add_time_relative(ev, &l->retry, CLOCK_MONOTONIC, RETRY_USEC, 10000,
					       on_retry, l);
	if (r == 0)
		r = sd_event_source_set_enabled(l->retry, SD_EVENT_OFF);
	if (r == 0)
		r = connect_daemon(l, err, n);
	if (r < 0) {
		lease_free(l);
		return r;
	}
	*out = l;
	return 0;
}

struct lease *lease_free(struct lease *l)
{
	if (!l)
		return NULL;
	disconnect(l);
	sd_event_source_disable_unref(l->retry);
	free(l->socket);
	free(l->vm);
	free(l);
	return NULL;
}

const struct lease_info *lease_current(const struct lease *l)
{
	return l->have ? &l->info : NULL;
}
