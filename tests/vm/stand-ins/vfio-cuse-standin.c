/* SPDX-License-Identifier: MIT */
/*
 * SIMULATION: stands in for a mediated vGPU's VFIO device node, as a CUSE
 * character device (libfuse3) at /dev/NAME. It answers
 * VFIO_DEVICE_QUERY_GFX_PLANE for the primary plane:
 *   PROBE|DRM, DRM     GVT-g direct flip v1's QEMU branch (never upstream):
 *                      the answer carries a host framebuffer id
 *   PROBE|DMABUF, DMABUF  upstream: the answer carries a dmabuf_id
 * --offer picks which of the two it admits to. The buffers are real dumb
 * buffers with framebuffers, created on the host card as a plain client,
 * as the kernel driver would.
 * VFIO_DEVICE_GET_GFX_DMABUF returns a new fd as the ioctl's value, which
 * CUSE cannot do. With --seccomp-socket PATH the stand-in plays the
 * kernel's part through seccomp user notification instead: the caller is
 * started by tests/vm/tools/seccomp-launch, which makes that one ioctl a
 * notification and sends the listener here; the stand-in reads the
 * dmabuf_id from the caller's memory, exports the buffer of that id
 * (drmPrimeHandleToFD) and installs it in the caller as the ioctl's result
 * (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND). It counts the
 * calls per dmabuf_id.
 * SIGUSR1 swaps the plane for one of --resize size (--resize-color inside
 * the centred --size area, --color around it, a new dmabuf_id); SIGUSR2
 * switches the guest plane off (an all-zero answer); SIGHUP flips between
 * the first buffer and one of --flip-color (dmabuf_ids 1 and 2), as a
 * double-buffering guest does. --cursor X,Y,HX,HY adds a 64x64 ARGB8888
 * cursor of --cursor-color at pointer X,Y with hotspot HX,HY (its own
 * dmabuf_id); SIGTTIN moves the pointer by (+100, +60). All raise POLLPRI
 * for pollers. SIGALRM (with --frames N) flips N times, one flip every
 * --frame-ms (default 16), for benchmarks, each raising POLLPRI as SIGHUP
 * does (form (c)'s poller does not listen), then prints "animated". SIGTTOU
 * plays --frames frames in place in the plane's current framebuffer,
 * raising nothing, as a driver that flips inside the framebuffer it
 * reported would (inplace-frames.h, needs --flush-pid-file), then prints
 * "inplace". SIGWINCH
 * only reports the query and fetch counts. The
 * ioctls are _IO (no size in the number), so they go through CUSE's
 * unrestricted-ioctl retry: the first call asks the kernel for the
 * caller's struct, the retried one answers it. Nothing here runs in a
 * real product.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <cuse_lowlevel.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <linux/vfio.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "args.h"
#include "dumb-buffer.h"
#include "fuse-pollers.h"
#include "standin-options.h"
#include "standin-run.h"

/* Not upstream: the same value as daemon/vgpu-nonupstream.h, kept apart
 * so that the stand-in does not share the daemon's reading of it. */
#define STANDIN_PLANE_TYPE_DRM (1 << 3)
#define MAX_BUFS 16

/* One guest buffer: a dumb buffer and a framebuffer over it. */
struct buf {
	uint32_t id;      /* dmabuf_id */
	uint32_t handle, fb, w, h, pitch;
	unsigned gets;    /* VFIO_DEVICE_GET_GFX_DMABUF calls for it */
};

static struct {
	pthread_mutex_t lock;
	int card;
	uint32_t fb, w, h, pitch, dmabuf_id;
	bool off, offer_drm, offer_dmabuf;
	struct standin_options o; /* o.w x o.h: the first buffers' size */
	bool cursor_on;
	uint32_t cx, cy, chx, chy, ccolor;
	unsigned cursor_buf;  /* index into bufs */
	unsigned queries, gets;
	struct buf bufs[MAX_BUFS];
	unsigned n_bufs;
	const char *devpath;
	struct fuse_pollers *pollers;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* X,Y,HX,HY: the cursor's pointer position and hotspot. */
static int parse_cursor(const char *s)
{
	char tmp[64];
	uint32_t *out[4] = { &st.cx, &st.cy, &st.chx, &st.chy };
	if (strlen(s) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", s);
	char *save = NULL, *tok = strtok_r(tmp, ",", &save);
	for (int i = 0; i < 4; i++, tok = strtok_r(NULL, ",", &save))
		if (!tok || args_u32(tok, 10, 8192, out[i]) < 0)
			return -1;
	return tok ? -1 : 0;
}

/* Makes the plane show bufs[i]. Under st.lock. */
static void show_buf(unsigned i)
{
	st.fb = st.bufs[i].fb;
	st.pitch = st.bufs[i].pitch;
	st.w = st.bufs[i].w;
	st.h = st.bufs[i].h;
	st.dmabuf_id = st.bufs[i].id;
	st.off = false;
}

static int add_buf(uint32_t w, uint32_t h, uint32_t outer, uint32_t inner, uint32_t iw, uint32_t ih,
		   uint32_t format)
{
	if (st.n_bufs == MAX_BUFS)
		return -ENOSPC;
	/* outer, with inner in the centred iw x ih area; kept until exit. */
	struct dumb_buffer d;
	int r = standin_make_buffer(st.card, w, h, outer, inner, iw, ih, format, &d);
	if (r < 0)
		return r;
	struct buf b = { .w = w, .h = h, .handle = d.handle, .fb = d.fb_id, .pitch = d.pitch };
	pthread_mutex_lock(&st.lock);
	b.id = st.n_bufs + 1;
	st.bufs[st.n_bufs] = b;
	r = (int)st.n_bufs++;
	pthread_mutex_unlock(&st.lock);
	return r;
}

static void cd_open(fuse_req_t req, struct fuse_file_info *fi)
{
	pthread_mutex_lock(&st.lock);
	int slot = fuse_pollers_open(st.pollers);
	pthread_mutex_unlock(&st.lock);
	if (slot < 0) {
		fuse_reply_err(req, -slot);
		return;
	}
	fi->fh = (uint64_t)slot;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void cd_release(fuse_req_t req, struct fuse_file_info *fi)
{
	pthread_mutex_lock(&st.lock);
	fuse_pollers_release(st.pollers, fi->fh);
	pthread_mutex_unlock(&st.lock);
	fuse_reply_err(req, 0);
}

/* As the kernel driver answers: probes say yes or EINVAL, a query of a
 * plane that is off (or of any plane but the primary) is all zero. */
static int answer(struct vfio_device_gfx_plane_info *info, uint64_t fh)
{
	uint32_t kind = info->flags & ~VFIO_GFX_PLANE_TYPE_PROBE;
	bool offered = (kind == STANDIN_PLANE_TYPE_DRM && st.offer_drm) ||
		       (kind == VFIO_GFX_PLANE_TYPE_DMABUF && st.offer_dmabuf);
	if (info->argsz < sizeof(*info) || !offered)
		return EINVAL;
	if (info->flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return 0;
	fuse_pollers_seen(st.pollers, fh);
	st.queries++;
	uint32_t argsz = info->argsz, flags = info->flags, type = info->drm_plane_type;
	*info = (struct vfio_device_gfx_plane_info){ .argsz = argsz, .flags = flags,
						     .drm_plane_type = type };
	if (st.off || (type != DRM_PLANE_TYPE_PRIMARY && type != DRM_PLANE_TYPE_CURSOR))
		return 0;
	if (type == DRM_PLANE_TYPE_CURSOR) {
		if (!st.cursor_on)
			return 0;
		const struct buf *c = &st.bufs[st.cursor_buf];
		info->drm_format = DRM_FORMAT_ARGB8888;
		info->drm_format_mod = DRM_FORMAT_MOD_LINEAR;
		info->width = c->w;
		info->height = c->h;
		info->stride = c->pitch;
		info->size = c->pitch * c->h;
		info->x_pos = st.cx;
		info->y_pos = st.cy;
		info->x_hot = st.chx;
		info->y_hot = st.chy;
		info->dmabuf_id = kind == STANDIN_PLANE_TYPE_DRM ? c->fb : c->id;
		return 0;
	}
	info->drm_format = DRM_FORMAT_XRGB8888;
	info->drm_format_mod = DRM_FORMAT_MOD_LINEAR;
	info->width = st.w;
	info->height = st.h;
	info->stride = st.pitch;
	info->size = st.pitch * st.h;
	/* drm_fb_id and dmabuf_id share the union's place. */
	info->dmabuf_id = kind == STANDIN_PLANE_TYPE_DRM ? st.fb : st.dmabuf_id;
	return 0;
}

static void cd_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
		     unsigned flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	if ((unsigned)cmd != VFIO_DEVICE_QUERY_GFX_PLANE || (flags & FUSE_IOCTL_COMPAT)) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	struct vfio_device_gfx_plane_info info;
	if (in_bufsz < sizeof(info) || out_bufsz < sizeof(info)) {
		/* The number says nothing of the argument: ask for it. */
		struct iovec iov = { .iov_base = arg, .iov_len = sizeof(info) };
		fuse_reply_ioctl_retry(req, &iov, 1, &iov, 1);
		return;
	}
	memcpy(&info, in_buf, sizeof(info));
	pthread_mutex_lock(&st.lock);
	int err = answer(&info, fi->fh);
	pthread_mutex_unlock(&st.lock);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_ioctl(req, 0, &info, sizeof(info));
}

static void cd_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	pthread_mutex_lock(&st.lock);
	unsigned revents = fuse_pollers_poll(st.pollers, fi->fh, ph) ? POLLPRI : 0;
	pthread_mutex_unlock(&st.lock);
	fuse_reply_poll(req, revents);
}

static const struct cuse_lowlevel_ops ops = {
	.open = cd_open,
	.release = cd_release,
	.ioctl = cd_ioctl,
	.poll = cd_poll,
};

/* Under st.lock: the other buffer. As SIGHUP's flip, only pollers hear
 * it, which form (c) is not. */
static void flip(void)
{
	show_buf(st.dmabuf_id == 1 && st.o.have_flip ? 1 : 0);
}

/* The guest draws --frames frames, double-buffered: a flip per frame. */
static void animate(void)
{
	standin_play_flips(&st.o, &st.lock, st.pollers, flip);
	pthread_mutex_lock(&st.lock);
	unsigned queries = st.queries, gets = st.gets;
	pthread_mutex_unlock(&st.lock);
	printf("animated frames=%u queries=%u gets=%u\n", st.o.frames, queries, gets);
	fflush(stdout);
}

/* The guest draws --frames frames inside the framebuffer it shows. */
static void animate_in_place(void)
{
	const struct standin_counter queries = { &st.lock, &st.queries, "queries" };
	standin_play_in_place("vfio-cuse-standin", st.card, &st.fb, &st.o, &queries);
}

/* SIGUSR1: a new framebuffer of the --resize size. SIGUSR2: plane off. */
static void *signals(void *arg)
{
	sigset_t *set = arg;
	int sig;
	while (sigwait(set, &sig) == 0) {
		int r = 0;
		if (sig == SIGALRM) {
			animate();
			continue;
		}
		if (sig == SIGTTOU) {
			animate_in_place();
			continue;
		}
		if (sig == SIGWINCH) {
			pthread_mutex_lock(&st.lock);
			printf("report queries=%u gets=%u\n", st.queries, st.gets);
			pthread_mutex_unlock(&st.lock);
			fflush(stdout);
			continue;
		}
		if (sig == SIGUSR1) {
			r = st.o.rw ? add_buf(st.o.rw, st.o.rh, st.o.color, st.o.rcolor, st.o.w, st.o.h,
					      DRM_FORMAT_XRGB8888)
				    : -EINVAL;
			if (r < 0) {
				fprintf(stderr, "vfio-cuse-standin: resize: %s\n", strerror(-r));
				continue;
			}
		}
		pthread_mutex_lock(&st.lock);
		if (sig == SIGTTIN) {
			st.cx += 100;
			st.cy += 60;
		} else if (sig == SIGUSR1) {
			/* The old buffers stay until exit, as a flip would keep them. */
			show_buf((unsigned)r);
		} else if (sig == SIGHUP) {
			show_buf(st.o.have_flip && st.dmabuf_id == 1 ? 1 : 0);
		} else {
			st.off = true;
		}
		fuse_pollers_notify_all(st.pollers);
		unsigned queries = st.queries, gets = st.gets, id = st.dmabuf_id;
		uint32_t fb = st.fb;
		pthread_mutex_unlock(&st.lock);
		if (sig == SIGTTIN)
			printf("cursor at %u,%u queries=%u\n", st.cx, st.cy, queries);
		else if (sig == SIGUSR1)
			printf("resized fb=%u size=%ux%u queries=%u\n", fb, st.o.rw, st.o.rh, queries);
		else if (sig == SIGHUP)
			printf("flip id=%u queries=%u gets=%u\n", id, queries, gets);
		else
			printf("off queries=%u gets=%u\n", queries, gets);
		fflush(stdout);
	}
	return NULL;
}

/* --- The kernel's part of VFIO_DEVICE_GET_GFX_DMABUF, by seccomp. --- */

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* The seccomp listener fd one launched process sends; -1. */
static int receive_listener(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -1;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	int fd = -1;
	if (recvmsg(c, &m, MSG_CMSG_CLOEXEC) == 1) {
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(h), sizeof(fd));
	}
	close(c);
	return fd;
}

/* True when the caller's fd is this device. */
static bool is_our_device(pid_t pid, uint64_t fd)
{
	char link[64], target[128];
	snprintf(link, sizeof(link), "/proc/%d/fd/%llu", (int)pid, (unsigned long long)fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, st.devpath) == 0;
}

static void answer_error(int nfd, struct seccomp_notif_resp *resp, int err)
{
	resp->error = -err;
	resp->val = 0;
	resp->flags = 0;
	ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

static void handle_notification(int nfd, const struct seccomp_notif *req,
				struct seccomp_notif_resp *resp)
{
	resp->id = req->id;
	/* Another fd's ioctl of that number: its own driver answers. */
	if (req->data.nr != SYS_ioctl || (uint32_t)req->data.args[1] != VFIO_DEVICE_GET_GFX_DMABUF ||
	    !is_our_device((pid_t)req->pid, req->data.args[0])) {
		resp->error = 0;
		resp->val = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
		return;
	}
	uint32_t id = 0;
	struct iovec local = { .iov_base = &id, .iov_len = sizeof(id) };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)req->data.args[2], .iov_len = sizeof(id) };
	if (process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(id)) {
		answer_error(nfd, resp, EFAULT);
		return;
	}
	/* The pid may have been reused between the notification and the read. */
	uint64_t nid = req->id;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &nid) != 0)
		return;
	pthread_mutex_lock(&st.lock);
	struct buf *b = NULL;
	for (unsigned i = 0; i < st.n_bufs; i++)
		if (st.bufs[i].id == id)
			b = &st.bufs[i];
	uint32_t handle = b ? b->handle : 0;
	if (b) {
		b->gets++;
		st.gets++;
	}
	unsigned gets = b ? b->gets : 0, total = st.gets;
	pthread_mutex_unlock(&st.lock);
	if (!b) {
		/* As i915's GVT-g answers an unknown dmabuf_id. */
		answer_error(nfd, resp, ENOENT);
		return;
	}
	int fd = -1;
	if (drmPrimeHandleToFD(st.card, handle, DRM_CLOEXEC | DRM_RDWR, &fd) != 0) {
		answer_error(nfd, resp, errno ? errno : EIO);
		return;
	}
	struct seccomp_notif_addfd add = {
		.id = req->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd_flags = O_CLOEXEC,
	};
	int r = ioctl(nfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	int err = errno;
	close(fd);
	if (r < 0) {
		fprintf(stderr, "vfio-cuse-standin: ADDFD: %s\n", strerror(err));
		return;
	}
	printf("get-dmabuf id=%u gets=%u total=%u fd=%d\n", id, gets, total, r);
	fflush(stdout);
}

static void *supervise(void *arg)
{
	int lfd = *(int *)arg;
	struct seccomp_notif_sizes sz;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) != 0) {
		perror("vfio-cuse-standin: SECCOMP_GET_NOTIF_SIZES");
		return NULL;
	}
	struct seccomp_notif *req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req));
	struct seccomp_notif_resp *resp =
		calloc(1, sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp : sizeof(*resp));
	if (!req || !resp)
		return NULL;
	/* One launched process after another (a restarted daemon). */
	for (;;) {
		int nfd = receive_listener(lfd);
		if (nfd < 0)
			continue;
		printf("seccomp listener received\n");
		fflush(stdout);
		for (;;) {
			memset(req, 0, sz.seccomp_notif);
			if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
				if (errno == EINTR || errno == ENOENT)
					continue;
				break;
			}
			memset(resp, 0, sz.seccomp_notif_resp);
			handle_notification(nfd, req, resp);
		}
		close(nfd);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: vfio-cuse-standin --name DEVNAME --color RRGGBB [--size WxH]\n"
			"         [--offer drm|dmabuf|both] [--resize WxH --resize-color RRGGBB]\n"
			"         [--flip-color RRGGBB] [--cursor X,Y,HX,HY --cursor-color RRGGBB]\n"
			"         [--frames N [--frame-ms MS]] [--flush-pid-file FILE]\n"
			"         [--seccomp-socket PATH] [--card PATH]\n");
}

int main(int argc, char **argv)
{
	const char *name = NULL, *offer = "both", *sock_path = NULL;
	standin_options_init(&st.o);
	/* Every option takes a value: step over both. */
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = standin_options_take(&st.o, a, v), bad = r < 0 || !v;
		if (!bad && r == 0 && !strcmp(a, "--name"))
			name = v, bad = strchr(v, '/') != NULL || strlen(v) > 64;
		else if (!bad && r == 0 && !strcmp(a, "--offer"))
			offer = v;
		else if (!bad && r == 0 && !strcmp(a, "--cursor"))
			bad = parse_cursor(v), st.cursor_on = !bad;
		else if (!bad && r == 0 && !strcmp(a, "--cursor-color"))
			bad = args_color(v, &st.ccolor);
		else if (!bad && r == 0 && !strcmp(a, "--seccomp-socket"))
			sock_path = v, bad = strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path);
		else if (r == 0)
			bad = 1;
		if (bad) {
			usage();
			return 2;
		}
	}
	st.offer_drm = !strcmp(offer, "drm") || !strcmp(offer, "both");
	st.offer_dmabuf = !strcmp(offer, "dmabuf") || !strcmp(offer, "both");
	if (!name || !st.o.have_color || (!st.offer_drm && !st.offer_dmabuf)) {
		usage();
		return 2;
	}
	st.card = standin_open("vfio-cuse-standin", &st.o, &st.pollers);
	if (st.card < 0)
		return 1;
	int r = add_buf(st.o.w, st.o.h, st.o.color, 0, 0, 0, DRM_FORMAT_XRGB8888);
	if (r >= 0 && st.o.have_flip)
		r = add_buf(st.o.w, st.o.h, st.o.fcolor, 0, 0, 0, DRM_FORMAT_XRGB8888);
	if (r >= 0 && st.cursor_on) {
		r = add_buf(64, 64, 0xff000000u | st.ccolor, 0, 0, 0, DRM_FORMAT_ARGB8888);
		st.cursor_buf = (unsigned)r;
	}
	if (r < 0) {
		fprintf(stderr, "vfio-cuse-standin: framebuffer: %s\n", strerror(-r));
		return 1;
	}
	show_buf(0);
	printf("plane0 fb=%u size=%ux%u\n", st.fb, st.w, st.h);
	fflush(stdout);

	static sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTTIN);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_t t;
	if (pthread_create(&t, NULL, signals, &set) != 0)
		return 1;
	static char devpath[80];
	snprintf(devpath, sizeof(devpath), "/dev/%s", name);
	st.devpath = devpath;
	if (sock_path) {
		int l = listen_on(sock_path);
		if (l < 0) {
			fprintf(stderr, "vfio-cuse-standin: %s: %s\n", sock_path, strerror(-l));
			return 1;
		}
		static int lfd;
		lfd = l;
		if (pthread_create(&t, NULL, supervise, &lfd) != 0)
			return 1;
	}

	char devname[80];
	snprintf(devname, sizeof(devname), "DEVNAME=%s", name);
	const char *dev_info[] = { devname };
	struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info,
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	/* Foreground, single-threaded; SIGTERM/SIGINT end the loop. */
	char *cargv[] = { argv[0], "-f", "-s", NULL };
	int mt = 0;
	struct fuse_session *se = cuse_lowlevel_setup(3, cargv, &ci, &ops, &mt, NULL);
	if (!se) {
		fprintf(stderr, "vfio-cuse-standin: cannot create /dev/%s (is cuse loaded?)\n", name);
		return 1;
	}
	r = fuse_session_loop(se);
	cuse_lowlevel_teardown(se);
	fuse_pollers_free(st.pollers);
	close(st.card); /* the framebuffers die with this file */
	if (r == 0 || r == -SIGTERM || r == -SIGINT || r == SIGTERM || r == SIGINT)
		return 0;
	fprintf(stderr, "vfio-cuse-standin: the device loop failed (%d)\n", r);
	return 1;
}
