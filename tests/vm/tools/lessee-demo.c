/* SPDX-License-Identifier: MIT */
/*
 * Test program: what a VMM does with its lease. Started as
 *     vgpu-assign exec vm1 -- lessee-demo
 * it takes the lease fd (DIRECTFLIP_LEASE_FD, default 3), creates two dumb
 * framebuffers of the CRTC's mode in green (20c040, unlike the stand-ins'
 * colours) and page-flips between them on the leased CRTC's primary plane
 * with atomic commits, one per flip event, until SIGTERM or SIGINT (or,
 * with --frames N, until it has committed N frames, for benchmarks; --period
 * MS sets the time between flips, 16 by default). SIGUSR1 prints the frames
 * committed so far ("lessee-demo: N frames so far"). The
 * daemon is not involved in any of it. The two frames differ in a small
 * corner square, so flips are real. Prints "lessee-demo: frame 1" after
 * the first commit and the frame count at exit.
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
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "args.h"
#include "drm-props.h"
#include "dumb-buffer.h"

#define GREEN 0x0020c040u
#define MARK 0x00ffffffu
#define FRAME_MS 16

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct props {
	uint32_t fb_id, crtc_id, src_x, src_y, src_w, src_h, crtc_x, crtc_y, crtc_w, crtc_h;
};

/* Green; with mark a corner square too, so that the two frames differ. */
static int create_buffer(int fd, uint32_t w, uint32_t h, bool mark, struct dumb_buffer *b)
{
	int r = dumb_buffer_create(fd, w, h, b);
	if (r < 0)
		return r;
	dumb_buffer_fill(b, GREEN, 0, 0, 0);
	if (mark)
		dumb_buffer_rect(b, 0, 0, 16, 16, MARK);
	return dumb_buffer_add_fb(b, DRM_FORMAT_XRGB8888);
}

static int flip(int fd, const struct props *p, uint32_t plane, uint32_t crtc,
		const struct dumb_buffer *b, uint32_t w, uint32_t h, uint32_t flags, bool *done)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	drmModeAtomicAddProperty(req, plane, p->fb_id, b->fb_id);
	drmModeAtomicAddProperty(req, plane, p->crtc_id, crtc);
	drmModeAtomicAddProperty(req, plane, p->src_x, 0);
	drmModeAtomicAddProperty(req, plane, p->src_y, 0);
	drmModeAtomicAddProperty(req, plane, p->src_w, (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, plane, p->src_h, (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, plane, p->crtc_x, 0);
	drmModeAtomicAddProperty(req, plane, p->crtc_y, 0);
	drmModeAtomicAddProperty(req, plane, p->crtc_w, w);
	drmModeAtomicAddProperty(req, plane, p->crtc_h, h);
	int r = drmModeAtomicCommit(fd, req, flags, done);
	drmModeAtomicFree(req);
	return r < 0 ? -errno : 0;
}

/* The lease fd is shared with the daemon and earlier lessees: an event of
 * another process's commit carries a pointer of that process. */
static bool *own_flag;

static void on_flip(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
	if (data == own_flag)
		*own_flag = true;
}

/* The one CRTC, its active mode and its primary plane, as the lessee sees them. */
static int find_output(int fd, uint32_t *crtc, uint32_t *plane, uint32_t *w, uint32_t *h)
{
	drmModeRes *res = drmModeGetResources(fd);
	if (!res)
		return -errno;
	int r = -ENODEV;
	size_t crtc_index = 0;
	for (int i = 0; i < res->count_crtcs && r < 0; i++) {
		drmModeCrtc *c = drmModeGetCrtc(fd, res->crtcs[i]);
		if (c && c->mode_valid) {
			*crtc = c->crtc_id;
			*w = c->mode.hdisplay;
			*h = c->mode.vdisplay;
			crtc_index = (size_t)i;
			r = 0;
		}
		drmModeFreeCrtc(c);
	}
	drmModeFreeResources(res);
	if (r < 0) {
		fprintf(stderr, "lessee-demo: the lease has no active CRTC\n");
		return r;
	}
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	if (!pr)
		return -errno;
	r = -ENODEV;
	for (uint32_t i = 0; i < pr->count_planes && r < 0; i++) {
		drmModePlane *p = drmModeGetPlane(fd, pr->planes[i]);
		uint64_t type = 0;
		if (p && (p->possible_crtcs & (1u << crtc_index)) &&
		    drm_props_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type) == 0 &&
		    type == DRM_PLANE_TYPE_PRIMARY) {
			*plane = p->plane_id;
			r = 0;
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	if (r < 0)
		fprintf(stderr, "lessee-demo: the lease has no primary plane\n");
	return r;
}

int main(int argc, char **argv)
{
	int fd = 3;
	uint32_t max_frames = 0; /* 0: until a signal */
	uint32_t period_ms = FRAME_MS;
	for (int i = 1; i < argc; i += 2) {
		bool frames_opt = strcmp(argv[i], "--frames") == 0;
		if (i + 1 >= argc || (!frames_opt && strcmp(argv[i], "--period") != 0)) {
			fprintf(stderr, "usage: lessee-demo [--frames N] [--period MS]\n");
			return 2;
		}
		uint32_t *v = frames_opt ? &max_frames : &period_ms;
		if (args_u32(argv[i + 1], 10, frames_opt ? 1000000 : 10000, v) < 0 || *v == 0) {
			fprintf(stderr, "lessee-demo: %s '%s' is not 1 to %u\n", argv[i], argv[i + 1],
				frames_opt ? 1000000 : 10000);
			return 2;
		}
	}
	const char *env = getenv("DIRECTFLIP_LEASE_FD");
	if (env) {
		uint32_t v;
		if (args_u32(env, 10, 1023, &v) < 0) {
			fprintf(stderr, "lessee-demo: DIRECTFLIP_LEASE_FD='%s' is not an fd\n", env);
			return 2;
		}
		fd = (int)v;
	}
	drmVersion *ver = drmGetVersion(fd);
	if (!ver) {
		fprintf(stderr, "lessee-demo: fd %d is not a DRM device: %s\n", fd, strerror(errno));
		return 1;
	}
	drmFreeVersion(ver);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		fprintf(stderr, "lessee-demo: atomic KMS refused: %s\n", strerror(errno));
		return 1;
	}
	uint32_t crtc, plane, w, h;
	if (find_output(fd, &crtc, &plane, &w, &h) < 0)
		return 1;
	struct props p = {
		.fb_id = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID"),
		.crtc_id = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"),
		.src_x = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_X"),
		.src_y = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y"),
		.src_w = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_W"),
		.src_h = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_H"),
		.crtc_x = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X"),
		.crtc_y = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y"),
		.crtc_w = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W"),
		.crtc_h = drm_props_id(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H"),
	};

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	struct dumb_buffer bufs[2] = { 0 };
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++)
		r = create_buffer(fd, w, h, i == 1, &bufs[i]);
	if (r < 0 || sfd < 0) {
		fprintf(stderr, "lessee-demo: cannot create framebuffers: %s\n", strerror(-r));
		goto out;
	}
	fprintf(stderr, "lessee-demo: crtc %u plane %u %ux%u\n", crtc, plane, w, h);

	/* Event-paced flips; a driver without flip events gets blocking commits. */
	uint32_t flags = DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK;
	unsigned long frames = 0;
	int cur = 0;
	bool flipped = false;
	own_flag = &flipped;
	r = flip(fd, &p, plane, crtc, &bufs[cur], w, h, flags, &flipped);
	if (r < 0) {
		flags = 0;
		r = flip(fd, &p, plane, crtc, &bufs[cur], w, h, flags, &flipped);
	}
	if (r < 0) {
		fprintf(stderr, "lessee-demo: the first commit failed: %s\n", strerror(-r));
		goto out;
	}
	frames++;
	fprintf(stderr, "lessee-demo: frame 1\n");
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };
	int64_t last = now_ms();
	while (!max_frames || frames < max_frames) {
		struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { fd, POLLIN, 0 } };
		/* About 60 flips a second: virtio-gpu completes flips at once. */
		int wait = -1;
		if (flipped || !flags) {
			int64_t left = last + (int64_t)period_ms - now_ms();
			wait = left < 0 ? 0 : (int)left;
		}
		int n = poll(pfd, 2, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			/* SIGUSR1: how many frames so far (the soak's proof that the
			 * lease still works); SIGTERM, SIGINT: stop. */
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo == SIGUSR1) {
				fprintf(stderr, "lessee-demo: %lu frames so far\n", frames);
				continue;
			}
			break;
		}
		if (pfd[1].revents & POLLIN)
			drmHandleEvent(fd, &ev);
		if ((flags && !flipped) || now_ms() < last + (int64_t)period_ms)
			continue;
		flipped = false;
		cur ^= 1;
		last = now_ms();
		r = flip(fd, &p, plane, crtc, &bufs[cur], w, h, flags, &flipped);
		if (r < 0) {
			fprintf(stderr, "lessee-demo: flip failed: %s\n", strerror(-r));
			break;
		}
		frames++;
	}
	/* With --frames the next user of the lease fd gets no event of ours. */
	for (int i = 0; max_frames && flags && !flipped && i < 100; i++) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 10) > 0)
			drmHandleEvent(fd, &ev);
	}
	fprintf(stderr, "lessee-demo: %lu frames\n", frames);
	r = 0;
out:
	for (int i = 0; i < 2; i++)
		dumb_buffer_destroy(&bufs[i]);
	if (sfd >= 0)
		close(sfd);
	close(fd);
	return r < 0 ? 1 : 0;
}
