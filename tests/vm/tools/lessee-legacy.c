/* SPDX-License-Identifier: MIT */
/*
 * Test program: a VMM that knows only the legacy KMS API. Started as
 *     vgpu-assign exec vm1 -- lessee-legacy [--flips N]
 * it takes the lease fd (DIRECTFLIP_LEASE_FD, default 3) and uses nothing
 * but drmModeSetCrtc, drmModeSetCursor/MoveCursor and drmModePageFlip on
 * the one CRTC of its lease. It sets no client caps. The kernel answers
 * EACCES to all three unless the lease holds the CRTC's primary plane (and
 * its cursor plane for SetCursor), which is what this demonstrates.
 *
 * Frames are purple (8040c0); the two buffers differ in a corner square.
 * Prints "lessee-legacy: setcrtc ok", "lessee-legacy: cursor on plane P",
 * "lessee-legacy: flip 1" after the first completed flip, and the number of
 * completed flips at exit (after N flips, or on SIGTERM/SIGINT). The cursor
 * stays on at exit, on purpose: the next lessee must not find it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "args.h"
#include "dumb-buffer.h"

#define PURPLE 0x008040c0u
#define MARK 0x00ffffffu
#define CURSOR 64

/* color, with a corner square when mark; a framebuffer when fb. */
static int create_buffer(int fd, uint32_t w, uint32_t h, uint32_t color, bool mark, bool fb,
			 struct dumb_buffer *b)
{
	int r = dumb_buffer_create(fd, w, h, b);
	if (r < 0)
		return r;
	dumb_buffer_fill(b, color, 0, 0, 0);
	if (mark)
		dumb_buffer_rect(b, 0, 0, 16, 16, MARK);
	/* The legacy call: depth 24, 32 bpp is XRGB8888. */
	if (fb && drmModeAddFB(fd, w, h, 24, 32, b->pitch, b->handle, &b->fb_id))
		return -errno;
	return 0;
}

static void on_flip(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
	*(bool *)data = true;
}

/* The plane (other than primary) that SetCursor lit on crtc, or 0. Only
 * visible when the file has universal planes, which the daemon's has. */
static uint32_t cursor_plane(int fd, uint32_t crtc, uint32_t primary_fb)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	uint32_t found = 0;
	for (uint32_t i = 0; pr && i < pr->count_planes && !found; i++) {
		drmModePlane *p = drmModeGetPlane(fd, pr->planes[i]);
		if (p && p->crtc_id == crtc && p->fb_id && p->fb_id != primary_fb)
			found = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	return found;
}

static int lease_fd(void)
{
	const char *env = getenv("DIRECTFLIP_LEASE_FD");
	if (!env)
		return 3;
	uint32_t v;
	return args_u32(env, 10, 1023, &v) < 0 ? -1 : (int)v;
}

int main(int argc, char **argv)
{
	uint32_t want = 0;
	if (argc == 3 && strcmp(argv[1], "--flips") == 0) {
		if (args_u32(argv[2], 10, 100000, &want) < 0 || want == 0) {
			fprintf(stderr, "lessee-legacy: --flips wants 1..100000\n");
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: lessee-legacy [--flips N]\n");
		return 2;
	}
	int fd = lease_fd();
	drmVersion *ver = fd >= 0 ? drmGetVersion(fd) : NULL;
	if (!ver) {
		fprintf(stderr, "lessee-legacy: no DRM lease fd (DIRECTFLIP_LEASE_FD)\n");
		return 1;
	}
	drmFreeVersion(ver);
	fcntl(fd, F_SETFD, FD_CLOEXEC);

	drmModeRes *res = drmModeGetResources(fd);
	if (!res || res->count_crtcs != 1 || res->count_connectors != 1) {
		fprintf(stderr, "lessee-legacy: the lease should hold one CRTC and one connector\n");
		return 1;
	}
	uint32_t crtc = res->crtcs[0], conn = res->connectors[0];
	drmModeFreeResources(res);
	drmModeCrtc *c = drmModeGetCrtc(fd, crtc);
	drmModeConnector *cn = drmModeGetConnector(fd, conn);
	drmModeModeInfo mode;
	if (c && c->mode_valid)
		mode = c->mode;
	else if (cn && cn->count_modes > 0)
		mode = cn->modes[0];
	else {
		fprintf(stderr, "lessee-legacy: no mode for CRTC %u\n", crtc);
		return 1;
	}
	drmModeFreeCrtc(c);
	drmModeFreeConnector(cn);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	struct dumb_buffer bufs[2] = { 0 }, cur = { 0 };
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++)
		r = create_buffer(fd, mode.hdisplay, mode.vdisplay, PURPLE, i == 1, true, &bufs[i]);
	if (r == 0)
		r = create_buffer(fd, CURSOR, CURSOR, 0xffffffffu, false, false, &cur);
	if (r < 0 || sfd < 0) {
		fprintf(stderr, "lessee-legacy: cannot create buffers: %s\n", strerror(-r));
		return 1;
	}

	if (drmModeSetCrtc(fd, crtc, bufs[0].fb_id, 0, 0, &conn, 1, &mode)) {
		fprintf(stderr, "lessee-legacy: drmModeSetCrtc on CRTC %u: %s\n", crtc, strerror(errno));
		return 1;
	}
	fprintf(stderr, "lessee-legacy: setcrtc ok crtc %u %ux%u\n", crtc, mode.hdisplay,
		mode.vdisplay);
	if (drmModeSetCursor(fd, crtc, cur.handle, CURSOR, CURSOR) ||
	    drmModeMoveCursor(fd, crtc, 100, 100)) {
		fprintf(stderr, "lessee-legacy: drmModeSetCursor on CRTC %u: %s\n", crtc,
			strerror(errno));
		return 1;
	}
	uint32_t cplane = cursor_plane(fd, crtc, bufs[0].fb_id);
	if (!cplane) {
		fprintf(stderr, "lessee-legacy: SetCursor succeeded but no cursor plane shows it\n");
		return 1;
	}
	fprintf(stderr, "lessee-legacy: cursor on plane %u\n", cplane);

	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	unsigned long flips = 0;
	int next = 1;
	bool done = false;
	for (;;) {
		if (drmModePageFlip(fd, crtc, bufs[next].fb_id, DRM_MODE_PAGE_FLIP_EVENT, &done)) {
			fprintf(stderr, "lessee-legacy: drmModePageFlip on CRTC %u: %s\n", crtc,
				strerror(errno));
			return 1;
		}
		bool stop = false;
		while (!done && !stop) {
			struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { fd, POLLIN, 0 } };
			if (poll(pfd, 2, 5000) <= 0) {
				fprintf(stderr, "lessee-legacy: no flip event within 5 s\n");
				return 1;
			}
			stop = pfd[0].revents & POLLIN;
			if (pfd[1].revents & POLLIN)
				drmHandleEvent(fd, &ev);
		}
		if (!done)
			break;
		done = false;
		if (++flips == 1)
			fprintf(stderr, "lessee-legacy: flip 1\n");
		drmModeMoveCursor(fd, crtc, 100 + (int)(flips % 64), 100);
		if (stop || flips == want)
			break;
		next ^= 1;
		usleep(16000);
	}
	fprintf(stderr, "lessee-legacy: %lu flips\n", flips);
	close(fd);
	return 0;
}
