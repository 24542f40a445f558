/* SPDX-License-Identifier: MIT */
/*
 * SIMULATION: stands in for a kernel vGPU driver (GVT-g, SR-IOV) that
 * exposes a guest's plane as a host DRM framebuffer. It opens the host
 * card as a plain non-master client, creates one framebuffer per plane,
 * publishes each id in DIR/planeK (as the proposed plane_id_index sysfs
 * attribute would), and draws a per-VM pattern with a frame counter in
 * place. Nothing here runs in a real product.
 *
 * In-place frames and their flushing are tests/vm/stand-ins/inplace-frames.h
 * (--flush-pid or --flush-pid-file: the daemon whose lessee file shows
 * our framebuffer).
 *
 * On SIGTERM it removes DIR/planeK before closing the card, as a vGPU
 * driver retracts its planes when the guest goes away.
 *
 * Pattern: the whole frame is the VM's colour, with a 64-pixel white
 * band at the top holding the frame counter as black bars.
 */
#include <errno.h>
#include <getopt.h>
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

#include "args.h"
#include "dumb-buffer.h"
#include "inplace-frames.h"
#include "signal-flags.h"

/* Frame 0: the VM's colour under a white band (inplace-frames.h draws
 * the counter into the band). */
static void draw(struct dumb_buffer *b, uint32_t color)
{
	dumb_buffer_fill(b, color, 0, 0, 0);
	dumb_buffer_rect(b, 0, 0, b->width, INPLACE_FRAMES_BAND_ROWS, 0xffffff);
}

static int publish(const char *dir, unsigned k, uint32_t fb_id)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/plane%u", dir, k);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%u\n", fb_id);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -errno;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vgpu-standin --dir DIR --color RRGGBB [--card PATH] [--size WxH]\n"
		"                    [--frames N] [--fps F] [--planes N] [--flush-pid PID]\n"
		"                    [--on-signal] [--flush-pid-file FILE]\n"
		"Creates framebuffers, writes their ids to DIR/planeK, draws, then\n"
		"animates N frames (0 = none; with --on-signal, after SIGUSR1) and\n"
		"holds them until SIGTERM.\n");
}

int main(int argc, char **argv)
{
	const char *card = "/dev/dri/card0", *dir = NULL;
	unsigned long color = 0, w = 0, h = 0;
	uint32_t frames = 0, fps = 60, planes = 1, flush_pid = 0;
	const char *flush_pid_file = NULL;
	bool have_color = false, on_sig = false;
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' }, { "dir", required_argument, NULL, 'd' },
		{ "color", required_argument, NULL, 'C' }, { "size", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' }, { "fps", required_argument, NULL, 'f' },
		{ "planes", required_argument, NULL, 'p' }, { "flush-pid", required_argument, NULL, 'P' },
		{ "on-signal", no_argument, NULL, 'S' },
		{ "flush-pid-file", required_argument, NULL, 'F' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'c':
			card = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'C':
			errno = 0;
			color = strtoul(optarg, &end, 16);
			if (errno || *end || color > 0xffffff) {
				usage();
				return 2;
			}
			have_color = true;
			break;
		case 's':
			if (sscanf(optarg, "%lux%lu", &w, &h) != 2 || !w || !h || w > 8192 || h > 8192) {
				usage();
				return 2;
			}
			break;
		case 'n':
			if (args_u32(optarg, 0, 1000000, &frames) < 0) {
				usage();
				return 2;
			}
			break;
		case 'f':
			if (args_u32(optarg, 0, 1000, &fps) < 0 || fps == 0) {
				usage();
				return 2;
			}
			break;
		case 'p':
			if (args_u32(optarg, 0, 8, &planes) < 0 || planes == 0) {
				usage();
				return 2;
			}
			break;
		case 'S':
			on_sig = true;
			break;
		case 'F':
			flush_pid_file = optarg;
			break;
		case 'P':
			if (args_u32(optarg, 0, 1u << 22, &flush_pid) < 0 || flush_pid == 0) {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!dir || !have_color) {
		usage();
		return 2;
	}

	int fd = dumb_buffer_open_card(card);
	if (fd < 0) {
		fprintf(stderr, "vgpu-standin: %s: %s\n", card, strerror(-fd));
		return 1;
	}

	if (!w || !h) {
		/* Default: the preferred mode of the first connected connector's
		 * size would tie us to a monitor; a fixed size is simpler. */
		w = 1024;
		h = 768;
	}
	struct dumb_buffer bufs[8] = { 0 };
	for (unsigned k = 0; k < planes; k++) {
		int r = dumb_buffer_create(fd, (uint32_t)w, (uint32_t)h, &bufs[k]);
		if (r == 0)
			r = dumb_buffer_add_fb(&bufs[k], DRM_FORMAT_XRGB8888);
		if (r < 0) {
			fprintf(stderr, "vgpu-standin: creating framebuffer %u: %s\n", k, strerror(-r));
			return 1;
		}
		draw(&bufs[k], (uint32_t)color);
		r = publish(dir, k, bufs[k].fb_id);
		if (r < 0) {
			fprintf(stderr, "vgpu-standin: publishing in %s: %s\n", dir, strerror(-r));
			return 1;
		}
		printf("plane%u fb=%u size=%lux%lu\n", k, bufs[k].fb_id, w, h);
	}
	fflush(stdout);

	/* Blocked outside sigsuspend and the sleeps, so that a signal cannot
	 * slip past the check. */
	sigset_t old, blocked;
	signal_flags_block(&old);
	sigprocmask(SIG_SETMASK, NULL, &blocked);
	struct timespec period = { 0, (long)(1000000000ul / fps) };
	struct inplace_frames *inplace = NULL;
	/* With --on-signal, each SIGUSR1 runs one animation of N frames. */
	for (unsigned run = 0; frames && !signal_flags_stop && (run == 0 || on_sig); run++) {
		while (on_sig && !signal_flags_usr1 && !signal_flags_stop)
			sigsuspend(&old);
		signal_flags_usr1 = 0;
		if (signal_flags_stop)
			break;
		/* The daemon may start after us: its pid can come late, in a file. */
		long pid = (long)flush_pid;
		int r = inplace || pid ? 0 : flush_pid_file ? inplace_frames_read_pid(flush_pid_file, &pid) : -ESRCH;
		if (!inplace && r == 0)
			r = inplace_frames_open(fd, bufs[0].fb_id, pid, &inplace);
		if (r < 0)
			fprintf(stderr, "vgpu-standin: cannot show frames in place on fb %u: %s\n",
				bufs[0].fb_id, strerror(-r));
		unsigned long flushed = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned long i = 1; inplace && i <= frames && !signal_flags_stop; i++) {
			r = inplace_frames_draw(inplace, i);
			if (r < 0 && flushed + 1 == i)
				fprintf(stderr, "vgpu-standin: DIRTYFB: %s\n", strerror(-r));
			flushed += r == 0;
			sigprocmask(SIG_SETMASK, &old, NULL);
			nanosleep(&period, NULL);
			sigprocmask(SIG_SETMASK, &blocked, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("animated %u frames in %.3f s flushed=%lu\n", frames,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, flushed);
		fflush(stdout);
	}
	while (!signal_flags_stop)
		sigsuspend(&old);
	for (unsigned k = 0; k < planes; k++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/plane%u", dir, k);
		unlink(path);
	}
	inplace_frames_close(inplace);
	close(fd); /* the framebuffers die with this file */
	return 0;
}
