/* SPDX-License-Identifier: MIT */
/*
 * SIMULATION, test tools only: guest frames drawn in place into a
 * framebuffer that directflipd shows, as a kernel vGPU driver that flips
 * inside its own framebuffer would (nothing tells the daemon).
 *
 * The drawing goes into the framebuffer's memory; making it visible on
 * virtio-gpu needs DIRTYFB, which needs DRM master. A kernel driver would
 * not need it. So the daemon's lessee file that shows the framebuffer (or
 * the daemon's mirror of it, recognised by the buffer's flink name) is
 * borrowed with pidfd_getfd() and flushed through. That is a kernel-level
 * privilege taken by a test tool; it does not wake the daemon.
 */
#ifndef DF_TESTS_INPLACE_FRAMES_H
#define DF_TESTS_INPLACE_FRAMES_H

#include <stdint.h>

struct inplace_frames;

/* The rows at the top that each frame redraws (and flushes). */
#define INPLACE_FRAMES_BAND_ROWS 64

/* The pid written in file (the harness writes the daemon's pid there). */
int inplace_frames_read_pid(const char *file, long *pid);

/* Maps fb_id, a framebuffer created on card (needs CAP_SYS_ADMIN for its
 * handle), and borrows from pid the lessee file whose plane shows it. */
int inplace_frames_open(int card, uint32_t fb_id, long pid, struct inplace_frames **out);

/* Draws frame's counter into the top 64 rows (white, 20 binary digits as
 * black bars) and flushes them on whatever the plane shows now. */
int inplace_frames_draw(struct inplace_frames *f, unsigned long frame);

void inplace_frames_close(struct inplace_frames *f);

/* open, then frames frames one every frame_ms (on an absolute clock),
 * then close: for stand-ins whose guest flips inside fb_id. *flushed
 * counts the frames that reached the plane. No pid_file: -EINVAL. */
int inplace_frames_play(int card, uint32_t fb_id, const char *pid_file, unsigned frames,
			unsigned frame_ms, unsigned *flushed);

#endif
