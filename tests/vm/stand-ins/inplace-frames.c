/* SPDX-License-Identifier: MIT */
/* SIMULATION helper for the stand-ins: see inplace-frames.h. */
#include "inplace-frames.h"

#include "args.h"
#include "dumb-buffer.h"
#include "frame-clock.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

struct inplace_frames {
	int card;
	uint32_t fb_id, name;
	struct dumb_buffer buf; /* fb_id's buffer, mapped */
	int flush_fd;      /* the daemon's lessee file, borrowed */
	uint32_t plane_id; /* the plane of flush_fd that shows fb_id */
};

int inplace_frames_read_pid(const char *file, long *pid)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return -errno;
	char line[32] = "";
	bool got = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	uint32_t v = 0;
	if (!got || args_u32(line, 10, 1u << 22, &v) < 0 || v == 0)
		return -EINVAL;
	*pid = v;
	return 0;
}

static uint32_t flink(int fd, uint32_t handle)
{
	struct drm_gem_flink f = { .handle = handle };
	return drmIoctl(fd, DRM_IOCTL_GEM_FLINK, &f) == 0 ? f.name : 0;
}

/* Whether fb, seen through master file fd, is f's framebuffer or the
 * daemon's mirror of the same buffer. */
static bool shows_ours(const struct inplace_frames *f, int fd, uint32_t fb)
{
	if (fb && fb == f->fb_id)
		return true;
	if (!fb || !f->name)
		return false;
	drmModeFB2 *info = drmModeGetFB2(fd, fb);
	if (!info)
		return false;
	bool ours = info->handles[0] && flink(fd, info->handles[0]) == f->name;
	if (info->handles[0])
		drmCloseBufferHandle(fd, info->handles[0]);
	drmModeFreeFB2(info);
	return ours;
}

/* A lessee file of pid whose plane shows f's framebuffer. */
static int borrow_lessee(struct inplace_frames *f, long pid)
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
		if (errno || *end || target < 0 || target > 1 << 20)
			continue;
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)target, 0);
		if (fd < 0)
			continue;
		struct stat st;
		bool shows = false;
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 226) {
			drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
			drmModeObjectListPtr objs = drmModeGetLease(fd);
			/* Only a lessee's lease lists few objects. */
			for (uint32_t i = 0; objs && objs->count < 16 && i < objs->count && !shows; i++) {
				drmModePlane *p = drmModeGetPlane(f->card, objs->objects[i]);
				if (p && shows_ours(f, fd, p->fb_id)) {
					shows = true;
					f->plane_id = p->plane_id;
				}
				drmModeFreePlane(p);
			}
			drmFree(objs);
		}
		if (shows)
			found = fd;
		else
			close(fd);
	}
	if (dir)
		closedir(dir);
	close(pidfd);
	return found;
}

int inplace_frames_open(int card, uint32_t fb_id, long pid, struct inplace_frames **out)
{
	struct inplace_frames *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->card = card;
	f->fb_id = fb_id;
	f->flush_fd = -1;
	int r = dumb_buffer_map_fb(card, fb_id, &f->buf);
	if (r < 0)
		goto fail;
	f->name = flink(card, f->buf.handle);
	r = borrow_lessee(f, pid);
	if (r < 0)
		goto fail;
	f->flush_fd = r;
	*out = f;
	return 0;
fail:
	inplace_frames_close(f);
	return r;
}

int inplace_frames_draw(struct inplace_frames *f, unsigned long frame)
{
	struct dumb_buffer *b = &f->buf;
	uint32_t rows = b->height < INPLACE_FRAMES_BAND_ROWS ? b->height : INPLACE_FRAMES_BAND_ROWS;
	dumb_buffer_rect(b, 0, 0, b->width, rows, 0xffffff);
	for (uint32_t bit = 0; bit < 20 && rows > 16; bit++)
		if (frame & (1ul << bit))
			dumb_buffer_rect(b, 8 + bit * 32, 16, 24, rows < 48 ? rows - 16 : 32, 0x000000);
	/* The daemon may have put up a new mirror since. */
	uint32_t shown = f->fb_id;
	drmModePlane *p = drmModeGetPlane(f->flush_fd, f->plane_id);
	if (p && p->fb_id)
		shown = p->fb_id;
	drmModeFreePlane(p);
	drmModeClip clip = { 0, 0, (unsigned short)b->width, (unsigned short)rows };
	return drmModeDirtyFB(f->flush_fd, shown, &clip, 1) == 0 ? 0 : -errno;
}

void inplace_frames_close(struct inplace_frames *f)
{
	if (!f)
		return;
	dumb_buffer_destroy(&f->buf);
	if (f->flush_fd >= 0)
		close(f->flush_fd);
	free(f);
}

int inplace_frames_play(int card, uint32_t fb_id, const char *pid_file, unsigned frames,
			unsigned frame_ms, unsigned *flushed)
{
	*flushed = 0;
	long pid;
	int r = pid_file ? inplace_frames_read_pid(pid_file, &pid) : -EINVAL;
	struct inplace_frames *f = NULL;
	if (r == 0)
		r = inplace_frames_open(card, fb_id, pid, &f);
	if (r < 0)
		return r;
	struct frame_clock clock;
	frame_clock_start(&clock, frame_ms);
	int first_err = 0;
	for (unsigned i = 1; i <= frames; i++) {
		r = inplace_frames_draw(f, i);
		*flushed += r == 0;
		if (r < 0 && !first_err)
			first_err = r;
		frame_clock_wait(&clock);
	}
	inplace_frames_close(f);
	return first_err;
}
