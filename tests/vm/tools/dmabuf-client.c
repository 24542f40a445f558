/* SPDX-License-Identifier: MIT */
/*
 * SIMULATION of a VMM's display relay (as QEMU's D-Bus display hands out
 * ScanoutDMABUF/UpdateDMABUF): it makes dumb buffers on the card, exports
 * them as dma-bufs (drmPrimeHandleToFD) and pushes them to directflipd's
 * `client` source over the control socket. Test tool only.
 *
 *   1. checks two refusals: scanout-dmabuf without an fd (EBADF) and
 *      update-dmabuf of a buffer never sent (ENOENT);
 *   2. sends --buffers N buffers of --size in --color, ids 1..N;
 *   3. flips --updates M times between the kept buffers with
 *      update-dmabuf and checks that each answer names the framebuffer
 *      imported for that id (imported once, cached);
 *   With --expect-busy it only checks that another connection's plane
 *   refuses it (EBUSY) and exits.
 *   4. prints "ready" and waits: SIGUSR1 sends buffer N+1 of --resize
 *      size, --resize-color inside the centred --size area and --color
 *      around it; SIGTERM closes the connection.
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

#include "directflip/client.h"

#include "args.h"
#include "dumb-buffer.h"
#include "signal-flags.h"

#define MAX_BUFFERS 16

struct buffer {
	struct dumb_buffer dumb;
	uint32_t fb_id; /* the daemon's import of it */
};

static struct json_object *target(const char *vm, unsigned long plane, uint32_t id)
{
	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "vm", json_object_new_string(vm));
	json_object_object_add(p, "plane", json_object_new_int64((int64_t)plane));
	json_object_object_add(p, "buffer", json_object_new_int64(id));
	return p;
}

/* scanout-dmabuf of b as id; b->fb_id from the answer. */
static int send_buffer(struct df_client *c, int card, const char *vm, unsigned long plane,
		       uint32_t id, struct buffer *b, int *n_kept)
{
	int dmabuf = -1;
	if (drmPrimeHandleToFD(card, b->dumb.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf) != 0) {
		fprintf(stderr, "dmabuf-client: exporting buffer %u: %s\n", id, strerror(errno));
		return -errno;
	}
	struct json_object *p = target(vm, plane, id), *res = NULL;
	json_object_object_add(p, "width", json_object_new_int64(b->dumb.width));
	json_object_object_add(p, "height", json_object_new_int64(b->dumb.height));
	json_object_object_add(p, "format", json_object_new_int64(DRM_FORMAT_XRGB8888));
	json_object_object_add(p, "modifier", json_object_new_string("0x0"));
	json_object_object_add(p, "stride", json_object_new_int64(b->dumb.pitch));
	json_object_object_add(p, "offset", json_object_new_int64(0));
	int r = df_client_call_fds(c, "scanout-dmabuf", p, dmabuf, &res, NULL);
	close(dmabuf);
	json_object_put(p);
	if (r < 0) {
		fprintf(stderr, "dmabuf-client: scanout-dmabuf %u: %s\n", id, df_client_error(c));
		return r;
	}
	b->fb_id = (uint32_t)json_object_get_int64(json_object_object_get(res, "fb"));
	*n_kept = json_object_get_int(json_object_object_get(res, "buffers"));
	json_object_put(res);
	printf("buffer %u fb=%u size=%ux%u kept=%d\n", id, b->fb_id, b->dumb.width, b->dumb.height,
	       *n_kept);
	fflush(stdout);
	return 0;
}

static int update(struct df_client *c, const char *vm, unsigned long plane, uint32_t id,
		  uint32_t *fb)
{
	struct json_object *p = target(vm, plane, id), *res = NULL;
	int r = df_client_call(c, "update-dmabuf", p, &res);
	json_object_put(p);
	if (r == 0)
		*fb = (uint32_t)json_object_get_int64(json_object_object_get(res, "fb"));
	json_object_put(res);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: dmabuf-client --vm NAME --color RRGGBB [--plane K] [--size WxH]\n"
			"         [--buffers N] [--updates M] [--fps F] [--resize WxH]\n"
			"         [--resize-color RRGGBB] [--card PATH] [--socket PATH]\n");
}

int main(int argc, char **argv)
{
	const char *vm = NULL, *card_path = "/dev/dri/card0", *sock = NULL;
	uint32_t plane = 0, n_bufs = 2, updates = 0, fps = 60;
	uint32_t w = 1024, h = 768, rw = 0, rh = 0, color = 0, rcolor = 0;
	bool have_color = false, expect_busy = false;
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' }, { "plane", required_argument, NULL, 'p' },
		{ "color", required_argument, NULL, 'c' }, { "size", required_argument, NULL, 's' },
		{ "buffers", required_argument, NULL, 'b' }, { "updates", required_argument, NULL, 'u' },
		{ "fps", required_argument, NULL, 'f' }, { "resize", required_argument, NULL, 'r' },
		{ "resize-color", required_argument, NULL, 'R' }, { "card", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 'S' }, { "expect-busy", no_argument, NULL, 'B' },
		{ 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;
		switch (o) {
		case 'v': vm = optarg; break;
		case 'p': bad = args_u32(optarg, 0, 7, &plane); break;
		case 'c': bad = args_color(optarg, &color); have_color = !bad; break;
		case 's': bad = args_size(optarg, 8192, &w, &h); break;
		case 'b': bad = args_u32(optarg, 0, MAX_BUFFERS - 1, &n_bufs) || !n_bufs; break;
		case 'u': bad = args_u32(optarg, 0, 1000000, &updates); break;
		case 'f': bad = args_u32(optarg, 0, 1000, &fps) || !fps; break;
		case 'r': bad = args_size(optarg, 8192, &rw, &rh); break;
		case 'R': bad = args_color(optarg, &rcolor); break;
		case 'C': card_path = optarg; break;
		case 'S': sock = optarg; break;
		case 'B': expect_busy = true; break;
		default: bad = 1;
		}
		if (bad) {
			usage();
			return 2;
		}
	}
	if (!vm || !have_color) {
		usage();
		return 2;
	}
	int card = dumb_buffer_open_card(card_path);
	if (card < 0) {
		fprintf(stderr, "dmabuf-client: %s: %s\n", card_path, strerror(-card));
		return 1;
	}
	struct df_client *c = NULL;
	int r = df_client_connect(sock, &c);
	if (r < 0) {
		fprintf(stderr, "dmabuf-client: connecting: %s\n", strerror(-r));
		return 1;
	}

	uint32_t fb = 0;
	if (expect_busy) {
		r = update(c, vm, plane, 1, &fb);
		if (r != -EBUSY) {
			fprintf(stderr, "dmabuf-client: a plane another client feeds gave %d, want -EBUSY\n", r);
			return 1;
		}
		printf("busy: %s\n", df_client_error(c));
		df_client_close(c);
		close(card);
		return 0;
	}
	/* Refusals first: they must leave the plane as it is. */
	struct json_object *p = target(vm, plane, 1);
	json_object_object_add(p, "width", json_object_new_int64(w));
	json_object_object_add(p, "height", json_object_new_int64(h));
	json_object_object_add(p, "format", json_object_new_int64(DRM_FORMAT_XRGB8888));
	json_object_object_add(p, "stride", json_object_new_int64(w * 4));
	r = df_client_call(c, "scanout-dmabuf", p, NULL);
	json_object_put(p);
	if (r != -EBADF) {
		fprintf(stderr, "dmabuf-client: scanout-dmabuf without an fd gave %d, want -EBADF\n", r);
		return 1;
	}
	printf("no fd: %s\n", df_client_error(c));
	r = update(c, vm, plane, 99, &fb);
	if (r != -ENOENT) {
		fprintf(stderr, "dmabuf-client: update-dmabuf of an unknown buffer gave %d, want -ENOENT\n", r);
		return 1;
	}
	printf("unknown buffer: %s\n", df_client_error(c));

	static struct buffer bufs[MAX_BUFFERS];
	int kept = 0;
	for (uint32_t i = 0; i < n_bufs; i++) {
		r = dumb_buffer_create(card, w, h, &bufs[i].dumb);
		if (r < 0) {
			fprintf(stderr, "dmabuf-client: dumb buffer: %s\n", strerror(-r));
			return 1;
		}
		dumb_buffer_fill(&bufs[i].dumb, color, 0, 0, 0);
		if (send_buffer(c, card, vm, plane, i + 1, &bufs[i], &kept) < 0)
			return 1;
	}
	/* The cache is bounded: past its size the oldest buffer is gone. */
	uint32_t first = 1;
	if ((unsigned long)kept < n_bufs) {
		r = update(c, vm, plane, 1, &fb);
		if (r != -ENOENT) {
			fprintf(stderr, "dmabuf-client: buffer 1 should have been evicted (%d kept), got %d\n",
				kept, r);
			return 1;
		}
		first = (uint32_t)(n_bufs - (unsigned long)kept) + 1;
		printf("evicted: buffers 1..%u\n", first - 1);
	}
	struct timespec period = { 0, (long)(1000000000ul / fps) };
	for (unsigned long i = 0; i < updates; i++) {
		uint32_t id = first + (uint32_t)(i % (n_bufs - first + 1));
		r = update(c, vm, plane, id, &fb);
		if (r < 0 || fb != bufs[id - 1].fb_id) {
			fprintf(stderr, "dmabuf-client: update %lu of buffer %u: %s (fb %u, imported as %u)\n",
				i, id, r < 0 ? df_client_error(c) : "another framebuffer", fb,
				bufs[id - 1].fb_id);
			return 1;
		}
		nanosleep(&period, NULL);
	}
	printf("updates ok: %u\n", updates);

	sigset_t old;
	signal_flags_block(&old);
	printf("ready\n");
	fflush(stdout);
	bool resized = false;
	while (!signal_flags_stop) {
		sigsuspend(&old);
		if (signal_flags_usr1 && !resized && rw) {
			struct buffer *b = &bufs[n_bufs];
			if (dumb_buffer_create(card, rw, rh, &b->dumb) < 0)
				return 1;
			dumb_buffer_fill(&b->dumb, color, rcolor, w, h);
			if (send_buffer(c, card, vm, plane, (uint32_t)n_bufs + 1, b, &kept) < 0)
				return 1;
			printf("resized\n");
			fflush(stdout);
			resized = true;
		}
		signal_flags_usr1 = 0;
	}
	df_client_close(c);
	close(card);
	return 0;
}
