/* SPDX-License-Identifier: MIT */
/*
 * Test tool for take-lease (docs/protocol.md): SIMULATION of two VMMs of
 * the same vm, one holding its lease and one taking it over.
 *
 *   takeover-client hold --vm VM --color RRGGBB
 *     get-lease, then a full-screen frame of COLOR on the lease's primary
 *     plane through the lease fd; prints "shown fb=F objects=N". Then polls
 *     drmModeGetLease on its fd every 0.5 ms. When the objects are gone it
 *     prints at once "lost t_us=T plane_fb=F own_fb=F": T is when it saw
 *     the loss (CLOCK_MONOTONIC, the clock of the events' time_us), and
 *     plane_fb what the primary plane showed then (read through a plain,
 *     non-master file of the card). SIGUSR1 prints "objects N plane_fb=F".
 *     It keeps its fd until SIGTERM, as a VMM would.
 *   takeover-client take --vm VM --color RRGGBB --then RRGGBB [--size WxH]
 *                        [--expect-refused]
 *     exports a dumb buffer of COLOR (of the vm's mode size from
 *     list-leases, or WxH) as a dma-buf and sends it with take-lease; prints "took lessee=L
 *     revoked=R fb=F objects=N". On SIGUSR1 it flips its own frame of THEN
 *     through the new lease fd and prints "flipped fb=F". With
 *     --expect-refused the request must fail: prints "refused: code=C
 *     MESSAGE" and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "directflip/client.h"

#include "args.h"
#include "drm-props.h"
#include "dumb-buffer.h"
#include "signal-flags.h"

struct target {
	uint32_t crtc, plane, w, h;
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A dumb buffer of w x h in color on fd; with add_fb a framebuffer too. */
static int create(int fd, uint32_t w, uint32_t h, uint32_t color, bool add_fb,
		  struct dumb_buffer *b)
{
	int r = dumb_buffer_create(fd, w, h, b);
	if (r < 0)
		return r;
	dumb_buffer_fill(b, color, 0, 0, 0);
	return add_fb ? dumb_buffer_add_fb(b, DRM_FORMAT_XRGB8888) : 0;
}

/* fb full-screen on the target's plane, one atomic commit through fd. */
static int show(int fd, const struct target *t, uint32_t fb)
{
	static const char *const names[] = { "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W",
					     "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H" };
	const uint64_t values[] = { fb, t->crtc, 0, 0, (uint64_t)t->w << 16, (uint64_t)t->h << 16,
				    0, 0, t->w, t->h };
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint32_t id = drm_props_id(fd, t->plane, DRM_MODE_OBJECT_PLANE, names[i]);
		if (!id) {
			drmModeAtomicFree(req);
			return -ENOENT;
		}
		drmModeAtomicAddProperty(req, t->plane, id, values[i]);
	}
	int r = drmModeAtomicCommit(fd, req, 0, NULL);
	drmModeAtomicFree(req);
	return r < 0 ? -errno : 0;
}

/* The CRTC, primary plane and mode size from a get-lease/take-lease answer. */
static int target_of(struct json_object *info, struct target *t)
{
	struct json_object *planes = json_object_object_get(info, "planes");
	struct json_object *mode = json_object_object_get(info, "mode");
	if (!planes || json_object_array_length(planes) < 1 || !mode)
		return -EPROTO;
	t->crtc = (uint32_t)json_object_get_int64(json_object_object_get(info, "crtc"));
	t->plane = (uint32_t)json_object_get_int64(json_object_array_get_idx(planes, 0));
	t->w = (uint32_t)json_object_get_int64(json_object_object_get(mode, "width"));
	t->h = (uint32_t)json_object_get_int64(json_object_object_get(mode, "height"));
	return t->crtc && t->plane && t->w && t->h ? 0 : -EPROTO;
}

static int lease_objects(int fd)
{
	drmModeObjectListPtr l = drmModeGetLease(fd);
	if (!l)
		return -errno;
	int n = (int)l->count;
	drmFree(l);
	return n;
}

static uint32_t plane_fb(int fd, uint32_t plane)
{
	drmModePlane *p = drmModeGetPlane(fd, plane);
	uint32_t fb = p ? p->fb_id : 0;
	drmModeFreePlane(p);
	return fb;
}

static int hold(struct df_client *c, int card, const char *vm, uint32_t color)
{
	int lease = -1;
	struct json_object *info = NULL;
	struct target t;
	int r = df_client_get_lease(c, vm, &lease, &info);
	if (r < 0 || target_of(info, &t) < 0) {
		fprintf(stderr, "takeover-client: get-lease %s: %s\n", vm, df_client_error(c));
		return 1;
	}
	json_object_put(info);
	struct dumb_buffer b;
	r = create(lease, t.w, t.h, color, true, &b);
	if (r == 0)
		r = show(lease, &t, b.fb_id);
	if (r < 0) {
		fprintf(stderr, "takeover-client: showing a frame through the lease: %s\n", strerror(-r));
		return 1;
	}
	printf("shown fb=%u objects=%d\n", b.fb_id, lease_objects(lease));
	fflush(stdout);
	/* The flags are checked every tick: a signal waits at most one. */
	signal_flags_catch();
	bool lost = false;
	const struct timespec tick = { 0, 500000 };
	while (!signal_flags_stop) {
		nanosleep(&tick, NULL);
		int n = lease_objects(lease);
		if (!lost && n == 0) {
			int64_t t_us = now_us();
			uint32_t shown = plane_fb(card, t.plane);
			printf("lost t_us=%lld plane_fb=%u own_fb=%u\n", (long long)t_us, shown, b.fb_id);
			fflush(stdout);
			lost = true;
		}
		if (signal_flags_usr1) {
			signal_flags_usr1 = 0;
			printf("objects %d plane_fb=%u\n", n, plane_fb(card, t.plane));
			fflush(stdout);
		}
	}
	close(lease);
	return 0;
}

static int take(struct df_client *c, int card, const char *vm, uint32_t color, uint32_t then,
		uint32_t fw, uint32_t fh, bool expect_refused)
{
	/* The frame's size: --size, else the vm's mode from list-leases (a
	 * vm's own socket does not serve it). */
	struct json_object *res = NULL;
	struct target t = { .w = fw, .h = fh };
	if (!fw && df_client_call(c, "list-leases", NULL, &res) < 0) {
		fprintf(stderr, "takeover-client: list-leases: %s\n", df_client_error(c));
		return 1;
	}
	struct json_object *leases = res ? json_object_object_get(res, "leases") : NULL;
	for (size_t i = 0; leases && i < json_object_array_length(leases); i++) {
		struct json_object *l = json_object_array_get_idx(leases, i);
		if (strcmp(json_object_get_string(json_object_object_get(l, "vm")), vm) == 0)
			target_of(l, &t);
	}
	json_object_put(res);
	if (!t.w) {
		fprintf(stderr, "takeover-client: vm %s has no lease\n", vm);
		return 1;
	}
	uint32_t w = t.w, h = t.h;
	struct dumb_buffer b;
	int dmabuf = -1;
	int r = create(card, w, h, color, false, &b);
	if (r == 0 && drmPrimeHandleToFD(card, b.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf) != 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "takeover-client: the first frame: %s\n", strerror(-r));
		return 1;
	}
	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "vm", json_object_new_string(vm));
	json_object_object_add(p, "width", json_object_new_int64(w));
	json_object_object_add(p, "height", json_object_new_int64(h));
	json_object_object_add(p, "format", json_object_new_int64(DRM_FORMAT_XRGB8888));
	json_object_object_add(p, "modifier", json_object_new_string("0x0"));
	json_object_object_add(p, "stride", json_object_new_int64(b.pitch));
	int lease = -1;
	res = NULL;
	r = df_client_call_fds(c, "take-lease", p, dmabuf, &res, &lease);
	json_object_put(p);
	close(dmabuf);
	if (expect_refused) {
		if (r >= 0) {
			fprintf(stderr, "takeover-client: take-lease was not refused\n");
			return 1;
		}
		printf("refused: code=%d %s\n", r, df_client_error(c));
		return 0;
	}
	if (r < 0 || lease < 0) {
		fprintf(stderr, "takeover-client: take-lease %s: %s\n", vm, df_client_error(c));
		return 1;
	}
	if (target_of(res, &t) < 0) {
		fprintf(stderr, "takeover-client: take-lease's answer names no CRTC, plane or mode\n");
		return 1;
	}
	printf("took lessee=%lld revoked=%lld fb=%lld objects=%d\n",
	       (long long)json_object_get_int64(json_object_object_get(res, "lessee")),
	       (long long)json_object_get_int64(json_object_object_get(res, "revoked")),
	       (long long)json_object_get_int64(json_object_object_get(res, "fb")),
	       lease_objects(lease));
	fflush(stdout);
	json_object_put(res);
	sigset_t old;
	signal_flags_block(&old);
	bool flipped = false;
	while (!signal_flags_stop) {
		sigsuspend(&old);
		if (signal_flags_usr1 && !flipped) {
			struct dumb_buffer own;
			r = create(lease, t.w, t.h, then, true, &own);
			if (r == 0)
				r = show(lease, &t, own.fb_id);
			if (r < 0) {
				fprintf(stderr, "takeover-client: flipping through the new lease: %s\n",
					strerror(-r));
				return 1;
			}
			printf("flipped fb=%u\n", own.fb_id);
			fflush(stdout);
			flipped = true;
		}
		signal_flags_usr1 = 0;
	}
	close(lease);
	return 0;
}

int main(int argc, char **argv)
{
	const char *vm = NULL, *card_path = "/dev/dri/card0", *sock = NULL;
	uint32_t color = 0, then = 0, fw = 0, fh = 0;
	bool have_color = false, expect_refused = false;
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' }, { "color", required_argument, NULL, 'c' },
		{ "then", required_argument, NULL, 't' }, { "card", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 'S' }, { "size", required_argument, NULL, 's' },
		{ "expect-refused", no_argument, NULL, 'E' }, { 0 },
	};
	if (argc < 2 || (strcmp(argv[1], "hold") != 0 && strcmp(argv[1], "take") != 0)) {
		fprintf(stderr, "usage: takeover-client hold|take --vm NAME --color RRGGBB "
				"[--then RRGGBB] [--expect-refused] [--card PATH] [--socket PATH]\n");
		return 2;
	}
	const char *role = argv[1];
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;
		switch (o) {
		case 'v': vm = optarg; break;
		case 'c': bad = args_color(optarg, &color); have_color = !bad; break;
		case 't': bad = args_color(optarg, &then); break;
		case 'C': card_path = optarg; break;
		case 'S': sock = optarg; break;
		case 's': bad = args_size(optarg, 8192, &fw, &fh); break;
		case 'E': expect_refused = true; break;
		default: bad = 1;
		}
		if (bad)
			return 2;
	}
	if (!vm || !have_color)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int card = dumb_buffer_open_card(card_path);
	if (card < 0) {
		fprintf(stderr, "takeover-client: %s: %s\n", card_path, strerror(-card));
		return 1;
	}
	struct df_client *c = NULL;
	int r = df_client_connect(sock, &c);
	if (r < 0) {
		fprintf(stderr, "takeover-client: connecting: %s\n", strerror(-r));
		return 1;
	}
	int st = strcmp(role, "hold") == 0 ? hold(c, card, vm, color)
					    : take(c, card, vm, color, then, fw, fh, expect_refused);
	df_client_close(c);
	close(card);
	return st;
}
