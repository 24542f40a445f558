/* SPDX-License-Identifier: MIT */
/*
 * SIMULATION: stands in for the GVT-g "local display direct flip" v1
 * sysfs interface, which never reached mainline Linux. A FUSE file system
 * (libfuse3) mounted where a vGPU's mdev device directory would be, with
 *   intel_vgpu/plane_id_index  write a plane number, read back the host
 *                              framebuffer id of that plane ("0": off)
 *   enable_direct_flip         0 or 1, kept (the v2 proposal's switch);
 *                              each write is logged with a count
 * The framebuffers are real: created on the host card as a plain client,
 * as the kernel driver would. SIGUSR1 swaps plane 0 for a framebuffer of
 * --resize size (--resize-color inside the centred --size area, --color
 * around it) and signals the change to pollers with POLLPRI, as
 * sysfs_notify does. With --flip-color, SIGALRM flips plane 0 --frames
 * times, one flip every --frame-ms (default 16), between its first
 * framebuffer and one of --flip-color, signalling each flip as a change
 * (as a guest's double buffering would, were each flip a new id), then
 * prints "animated" with the number of plane_id_index reads meanwhile, for
 * benchmarks. SIGTTOU plays --frames frames in place in plane 0's current
 * framebuffer, signalling nothing, as GVT-g's v1 direct flip keeps a
 * plane's framebuffer id while the guest flips (inplace-frames.h, needs
 * --flush-pid-file), then prints "inplace". Nothing here runs in a real
 * product.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "args.h"
#include "dumb-buffer.h"
#include "fuse-pollers.h"
#include "standin-options.h"
#include "standin-run.h"

#define MAX_PLANES 4
#define ATTR_INDEX "/intel_vgpu/plane_id_index"
#define ATTR_FLIP "/enable_direct_flip"

static struct {
	pthread_mutex_t lock;
	unsigned flip_writes;
	int card;
	uint32_t fbs[MAX_PLANES];
	unsigned n_planes, index, flip;
	struct standin_options o;
	uint32_t flip_fbs[2];
	unsigned reads;
	struct fuse_pollers *pollers;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A framebuffer of w x h: outer, with inner in the centred iw x ih area. */
static int make_fb(uint32_t w, uint32_t h, uint32_t outer, uint32_t inner, uint32_t iw,
		   uint32_t ih, uint32_t *fb)
{
	struct dumb_buffer b;
	int r = standin_make_buffer(st.card, w, h, outer, inner, iw, ih, DRM_FORMAT_XRGB8888, &b);
	if (r == 0)
		*fb = b.fb_id;
	return r;
}

static int fs_getattr(const char *path, struct stat *sb, struct fuse_file_info *fi)
{
	memset(sb, 0, sizeof(*sb));
	if (!strcmp(path, "/") || !strcmp(path, "/intel_vgpu")) {
		sb->st_mode = S_IFDIR | 0755;
		sb->st_nlink = 2;
	} else if (!strcmp(path, ATTR_INDEX) || !strcmp(path, ATTR_FLIP)) {
		sb->st_mode = S_IFREG | 0644;
		sb->st_nlink = 1;
		sb->st_size = 4096; /* as sysfs says of its attributes */
	} else {
		return -ENOENT;
	}
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	if (!strcmp(path, "/")) {
		fill(buf, "intel_vgpu", NULL, 0, 0);
		fill(buf, "enable_direct_flip", NULL, 0, 0);
	} else if (!strcmp(path, "/intel_vgpu")) {
		fill(buf, "plane_id_index", NULL, 0, 0);
	} else {
		return -ENOENT;
	}
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, ATTR_INDEX) != 0 && strcmp(path, ATTR_FLIP) != 0)
		return -ENOENT;
	fi->direct_io = 1;
	fi->nonseekable = 0;
	pthread_mutex_lock(&st.lock);
	int slot = fuse_pollers_open(st.pollers);
	pthread_mutex_unlock(&st.lock);
	if (slot < 0)
		return slot;
	fi->fh = (uint64_t)slot;
	return 0;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	pthread_mutex_lock(&st.lock);
	fuse_pollers_release(st.pollers, fi->fh);
	pthread_mutex_unlock(&st.lock);
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	char text[32];
	pthread_mutex_lock(&st.lock);
	if (!strcmp(path, ATTR_INDEX)) {
		snprintf(text, sizeof(text), "%u\n", st.index < st.n_planes ? st.fbs[st.index] : 0);
		fuse_pollers_seen(st.pollers, fi->fh);
		st.reads++;
	} else {
		snprintf(text, sizeof(text), "%u\n", st.flip);
	}
	pthread_mutex_unlock(&st.lock);
	size_t len = strlen(text);
	if ((size_t)off >= len)
		return 0;
	len -= (size_t)off;
	if (len > size)
		len = size;
	memcpy(buf, text + off, len);
	return (int)len;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	char text[32];
	if (size >= sizeof(text) || off != 0)
		return -EINVAL;
	/* As sysfs takes `echo N >`: trailing newlines are not part of N. */
	size_t len = size;
	while (len && buf[len - 1] == '\n')
		len--;
	memcpy(text, buf, len);
	text[len] = '\0';
	uint32_t v;
	bool index = !strcmp(path, ATTR_INDEX);
	if (args_u32(text, 10, index ? MAX_PLANES - 1 : 1, &v) < 0)
		return -EINVAL;
	pthread_mutex_lock(&st.lock);
	if (index)
		st.index = v;
	else
		st.flip = v;
	unsigned writes = index ? 0 : ++st.flip_writes;
	pthread_mutex_unlock(&st.lock);
	if (!index) {
		printf("enable_direct_flip=%u writes=%u\n", v, writes);
		fflush(stdout);
	}
	return (int)size;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	return 0;
}

static int fs_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
		   unsigned *revents)
{
	pthread_mutex_lock(&st.lock);
	*revents = fuse_pollers_poll(st.pollers, fi->fh, ph) ? POLLPRI | POLLERR : 0;
	pthread_mutex_unlock(&st.lock);
	return 0;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.release = fs_release,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.poll = fs_poll,
};

/* Under st.lock: plane 0 shows the other of the two framebuffers. */
static void flip(void)
{
	st.fbs[0] = st.fbs[0] == st.flip_fbs[0] ? st.flip_fbs[1] : st.flip_fbs[0];
}

/* The guest flips --frames times between two framebuffers. */
static void animate(void)
{
	pthread_mutex_lock(&st.lock);
	unsigned reads0 = st.reads;
	pthread_mutex_unlock(&st.lock);
	standin_play_flips(&st.o, &st.lock, st.pollers, flip);
	pthread_mutex_lock(&st.lock);
	unsigned reads = st.reads - reads0;
	pthread_mutex_unlock(&st.lock);
	printf("animated frames=%u reads=%u\n", st.o.frames, reads);
	fflush(stdout);
}

/* The guest flips --frames times inside plane 0's framebuffer. */
static void animate_in_place(void)
{
	const struct standin_counter reads = { &st.lock, &st.reads, "reads" };
	standin_play_in_place("gvt-fuse-standin", st.card, &st.fbs[0], &st.o, &reads);
}

/* SIGUSR1: plane 0 gets a framebuffer of the --resize size. SIGALRM: flips.
 * SIGTTOU: frames in place. */
static void *signals(void *arg)
{
	sigset_t *set = arg;
	int sig;
	while (sigwait(set, &sig) == 0) {
		if (sig == SIGALRM) {
			if (st.o.have_flip)
				animate();
			continue;
		}
		if (sig == SIGTTOU) {
			animate_in_place();
			continue;
		}
		uint32_t fb = 0;
		int r = st.o.rw ? make_fb(st.o.rw, st.o.rh, st.o.color, st.o.rcolor, st.o.w, st.o.h, &fb)
				: -EINVAL;
		if (r < 0) {
			fprintf(stderr, "gvt-fuse-standin: resize: %s\n", strerror(-r));
			continue;
		}
		pthread_mutex_lock(&st.lock);
		st.fbs[0] = fb; /* the old one stays until exit, as a flip would keep it */
		fuse_pollers_notify_all(st.pollers);
		pthread_mutex_unlock(&st.lock);
		printf("resized plane0 fb=%u size=%ux%u\n", fb, st.o.rw, st.o.rh);
		fflush(stdout);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: gvt-fuse-standin --mount DIR --color RRGGBB [--size WxH] [--planes N]\n"
			"         [--resize WxH --resize-color RRGGBB] [--card PATH]\n"
			"         [--flip-color RRGGBB] [--frames N [--frame-ms MS]]\n"
			"         [--flush-pid-file FILE]\n");
}

int main(int argc, char **argv)
{
	const char *mnt = NULL;
	standin_options_init(&st.o);
	st.n_planes = 1;
	/* Every option takes a value: step over both. */
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = standin_options_take(&st.o, a, v), bad = r < 0 || !v;
		if (!bad && r == 0 && !strcmp(a, "--mount"))
			mnt = v;
		else if (!bad && r == 0 && !strcmp(a, "--planes"))
			bad = args_u32(v, 10, MAX_PLANES, &st.n_planes) || !st.n_planes;
		else if (r == 0)
			bad = 1;
		if (bad) {
			usage();
			return 2;
		}
	}
	if (!mnt || !st.o.have_color) {
		usage();
		return 2;
	}
	st.card = standin_open("gvt-fuse-standin", &st.o, &st.pollers);
	if (st.card < 0)
		return 1;
	for (unsigned k = 0; k < st.n_planes; k++) {
		int r = make_fb(st.o.w, st.o.h, st.o.color, 0, 0, 0, &st.fbs[k]);
		if (r < 0) {
			fprintf(stderr, "gvt-fuse-standin: framebuffer %u: %s\n", k, strerror(-r));
			return 1;
		}
		printf("plane%u fb=%u size=%ux%u\n", k, st.fbs[k], st.o.w, st.o.h);
	}
	if (st.o.have_flip) {
		st.flip_fbs[0] = st.fbs[0];
		int r = make_fb(st.o.w, st.o.h, st.o.fcolor, 0, 0, 0, &st.flip_fbs[1]);
		if (r < 0) {
			fprintf(stderr, "gvt-fuse-standin: flip framebuffer: %s\n", strerror(-r));
			return 1;
		}
		printf("flip fb=%u\n", st.flip_fbs[1]);
	}
	fflush(stdout);

	static sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_t t;
	if (pthread_create(&t, NULL, signals, &set) != 0)
		return 1;
	char *fargv[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, fargv);
	struct fuse *f = fuse_new(&args, &ops, sizeof(ops), NULL);
	if (!f || fuse_mount(f, mnt) != 0) {
		fprintf(stderr, "gvt-fuse-standin: cannot mount on %s\n", mnt);
		return 1;
	}
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		return 1;
	/* Single-threaded; ends with the signal number on SIGTERM/SIGINT. */
	int r = fuse_loop(f);
	fuse_remove_signal_handlers(fuse_get_session(f));
	fuse_unmount(f);
	fuse_destroy(f);
	fuse_opt_free_args(&args);
	fuse_pollers_free(st.pollers);
	close(st.card); /* the framebuffers die with this file */
	if (r == SIGTERM || r == SIGINT)
		return 0;
	fprintf(stderr, "gvt-fuse-standin: the file system loop failed (%d)\n", r);
	return 1;
}
