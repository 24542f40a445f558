/*
 * SIMULATION: stands in for a kernel vGPU driver (GVT-g, SR-IOV) that
 * exposes a guest's plane as a host DRM framebuffer. It opens the host
 * card as a plain non-master client, creates one framebuffer per plane,
 * publishes each id in DIR/planeK (as the proposed plane_id_index sysfs
 * attribute would), and draws a per-VM pattern with a frame counter in
 * place. Nothing here runs in a real product.
 *
 * Flushing: DIRTYFB needs DRM master, which a real vGPU driver does not
 * need (the kernel programs the flip itself). To make in-place frames
 * visible on virtio-gpu, --flush-pid PID borrows, through pidfd_getfd(),
 * the lessee file of PID (directflipd) that shows our framebuffer, and
 * flushes through it. That is a kernel-level privilege taken by a test
 * tool; it does not wake PID, which is what the frame benchmark checks.
 * With on-vm-exit=keep the plane shows the daemon's mirror of our buffer
 * (kms/framebuffer.h), recognised by the buffer's flink name, and that
 * mirror, read from the plane each frame, is what gets flushed.
 *
 * On SIGTERM it removes DIR/planeK before closing the card, as a vGPU
 * driver retracts its planes when the guest goes away.
 *
 * Pattern: the whole frame is the VM's colour, with a 64-pixel white
 * band at the top holding the frame counter as black bars.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

struct buffer {
	uint32_t handle, pitch, fb_id, width, height;
	uint64_t size;
	uint32_t *map;
};

static volatile sig_atomic_t stop, go;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		go = 1;
	else
		stop = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int create_buffer(int fd, uint32_t w, uint32_t h, struct buffer *b)
{
	struct drm_mode_create_dumb create = { .width = w, .height = h, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0)
		return -errno;
	b->handle = create.handle;
	b->pitch = create.pitch;
	b->size = create.size;
	b->width = w;
	b->height = h;
	struct drm_mode_map_dumb map = { .handle = b->handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0)
		return -errno;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (b->map == MAP_FAILED)
		return -errno;
	uint32_t handles[4] = { b->handle }, pitches[4] = { b->pitch }, offsets[4] = { 0 };
	if (drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &b->fb_id, 0) != 0)
		return -errno;
	return 0;
}

static void draw(struct buffer *b, uint32_t color, unsigned long frame)
{
	uint32_t stride = b->pitch / 4;
	for (uint32_t y = 0; y < b->height; y++) {
		uint32_t *row = b->map + (size_t)y * stride;
		for (uint32_t x = 0; x < b->width; x++)
			row[x] = y < 64 ? 0xffffff : color;
	}
	/* The counter: 20 binary digits as 24-pixel bars, black for 1. */
	for (int bit = 0; bit < 20; bit++) {
		if (!(frame & (1ul << bit)))
			continue;
		uint32_t x0 = 8 + (uint32_t)bit * 32;
		for (uint32_t y = 16; y < 48 && y < b->height; y++)
			for (uint32_t x = x0; x < x0 + 24 && x < b->width; x++)
				b->map[(size_t)y * stride + x] = 0x000000;
	}
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

static uint32_t flink(int fd, uint32_t handle)
{
	struct drm_gem_flink f = { .handle = handle };
	return drmIoctl(fd, DRM_IOCTL_GEM_FLINK, &f) == 0 ? f.name : 0;
}

/* Whether fb, seen through master file fd, is ours (fb_id) or another
 * framebuffer over our buffer (name: its flink name, 0 if none). */
static bool shows_ours(int fd, uint32_t fb, uint32_t fb_id, uint32_t name)
{
	if (fb == fb_id)
		return true;
	if (!fb || !name)
		return false;
	drmModeFB2 *info = drmModeGetFB2(fd, fb);
	if (!info)
		return false;
	bool ours = info->handles[0] && flink(fd, info->handles[0]) == name;
	if (info->handles[0])
		drmCloseBufferHandle(fd, info->handles[0]);
	drmModeFreeFB2(info);
	return ours;
}

/* A DRM master file of pid (a lessee) through which DIRTYFB reaches fb,
 * and in *plane_id the plane that shows it. */
static int borrow_master(long pid, int own_fd, uint32_t fb_id, uint32_t name, uint32_t *plane_id)
{
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return -errno;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	DIR *dir = opendir(path);
	int found = -ENOENT;
	struct dirent *de;
	while (dir && found < 0 && (de = readdir(dir))) {
		char *end;
		errno = 0;
		long target = strtol(de->d_name, &end, 10);
		if (errno || *end || target < 0)
			continue;
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)target, 0);
		if (fd < 0)
			continue;
		struct stat st;
		drmModeObjectListPtr objs = NULL;
		bool lessee = false;
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 226) {
			drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
			objs = drmModeGetLease(fd);
			/* Only a lessee's lease lists few objects; pick the one
			 * whose planes show our framebuffer. */
			for (uint32_t i = 0; objs && i < objs->count && objs->count < 16 && !lessee; i++) {
				drmModePlane *p = drmModeGetPlane(own_fd, objs->objects[i]);
				if (p && shows_ours(fd, p->fb_id, fb_id, name)) {
					lessee = true;
					*plane_id = p->plane_id;
				}
				drmModeFreePlane(p);
			}
			drmFree(objs);
		}
		if (lessee)
			found = fd;
		else
			close(fd);
	}
	if (dir)
		closedir(dir);
	close(pidfd);
	return found;
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
	unsigned long color = 0, w = 0, h = 0, frames = 0, fps = 60, planes = 1, flush_pid = 0;
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
			if (parse_uint(optarg, 1000000, &frames) < 0) {
				usage();
				return 2;
			}
			break;
		case 'f':
			if (parse_uint(optarg, 1000, &fps) < 0 || fps == 0) {
				usage();
				return 2;
			}
			break;
		case 'p':
			if (parse_uint(optarg, 8, &planes) < 0 || planes == 0) {
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
			if (parse_uint(optarg, 1ul << 22, &flush_pid) < 0 || flush_pid == 0) {
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

	int fd = open(card, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vgpu-standin: %s: %s\n", card, strerror(errno));
		return 1;
	}
	/* Never hold master: the daemon must get it. */
	if (drmIsMaster(fd))
		drmDropMaster(fd);

	if (!w || !h) {
		/* Default: the preferred mode of the first connected connector's
		 * size would tie us to a monitor; a fixed size is simpler. */
		w = 1024;
		h = 768;
	}
	struct buffer bufs[8] = { 0 };
	for (unsigned k = 0; k < planes; k++) {
		int r = create_buffer(fd, (uint32_t)w, (uint32_t)h, &bufs[k]);
		if (r < 0) {
			fprintf(stderr, "vgpu-standin: creating framebuffer %u: %s\n", k, strerror(-r));
			return 1;
		}
		draw(&bufs[k], (uint32_t)color, 0);
		r = publish(dir, k, bufs[k].fb_id);
		if (r < 0) {
			fprintf(stderr, "vgpu-standin: publishing in %s: %s\n", dir, strerror(-r));
			return 1;
		}
		printf("plane%u fb=%u size=%lux%lu\n", k, bufs[k].fb_id, w, h);
	}
	fflush(stdout);

	/* Blocked outside sigsuspend so a signal cannot slip past the check. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	struct timespec period = { 0, (long)(1000000000ul / fps) };
	int dirty_err = 0, flush_fd = -1;
	uint32_t flush_plane = 0, name = 0;
	/* With --on-signal, each SIGUSR1 runs one animation of N frames. */
	for (unsigned run = 0; frames && !stop && (run == 0 || on_sig); run++) {
		while (on_sig && !go && !stop)
			sigsuspend(&old);
		go = 0;
		if (stop)
			break;
		/* The daemon may start after us: its pid can come late, in a file. */
		if (flush_fd < 0 && !flush_pid && flush_pid_file) {
			FILE *pf = fopen(flush_pid_file, "re");
			char line[32] = "";
			if (pf && fgets(line, sizeof(line), pf))
				line[strcspn(line, "\n")] = '\0';
			if (pf)
				fclose(pf);
			if (parse_uint(line, 1ul << 22, &flush_pid) < 0)
				fprintf(stderr, "vgpu-standin: no pid in %s\n", flush_pid_file);
		}
		if (flush_fd < 0 && flush_pid) {
			if (!name)
				name = flink(fd, bufs[0].handle);
			int r = borrow_master((long)flush_pid, fd, bufs[0].fb_id, name, &flush_plane);
			if (r < 0)
				fprintf(stderr, "vgpu-standin: no lessee of pid %lu shows fb %u: %s\n",
					flush_pid, bufs[0].fb_id, strerror(-r));
			flush_fd = r;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned long i = 1; i <= frames && !stop; i++) {
			draw(&bufs[0], (uint32_t)color, i);
			drmModeClip clip = { 0, 0, (unsigned short)w, 64 };
			/* The daemon may have put a new mirror up since. */
			uint32_t shown = bufs[0].fb_id;
			drmModePlane *p = flush_fd >= 0 ? drmModeGetPlane(flush_fd, flush_plane) : NULL;
			if (p && p->fb_id)
				shown = p->fb_id;
			drmModeFreePlane(p);
			if (drmModeDirtyFB(flush_fd >= 0 ? flush_fd : fd, shown, &clip, 1) != 0 &&
			    !dirty_err) {
				dirty_err = errno;
				fprintf(stderr, "vgpu-standin: DIRTYFB: %s (frames stay in memory only)\n",
					strerror(dirty_err));
			}
			sigprocmask(SIG_SETMASK, &old, NULL);
			nanosleep(&period, NULL);
			sigprocmask(SIG_BLOCK, &block, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("animated %lu frames in %.3f s\n", frames,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		fflush(stdout);
	}
	while (!stop)
		sigsuspend(&old);
	for (unsigned k = 0; k < planes; k++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/plane%u", dir, k);
		unlink(path);
	}
	close(fd); /* the framebuffers die with this file */
	return 0;
}
