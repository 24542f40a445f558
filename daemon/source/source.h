/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* Where a vGPU plane's framebuffer id comes from (design: "vGPU plane
 * sources", docs/sources.md). Each kind lives in its own file behind
 * struct source_kind (daemon/source/kind.h):
 *   fb:NUMBER  a framebuffer id on the daemon's card      (fb.c)
 *   fb:PATH    a file holding that id                     (fb.c)
 *   client     dma-bufs a VMM pushes over the control socket (client.c)
 *   gvt-sysfs:PATH[#PLANE]  the proposed GVT-g plane_id_index (gvt-sysfs.c)
 *   vfio:PATH[#MDEV]  a vGPU's VFIO device, VFIO_DEVICE_QUERY_GFX_PLANE (vfio.c) */
struct source;

/* A guest cursor: its framebuffer, and where its top-left corner is on
 * the guest's primary plane (the pointer position less the hotspot). */
struct source_cursor {
	uint32_t fb_id;
	int32_t x, y;
};

/* -EINVAL for a malformed spec. */
int source_create(const char *spec, struct source **out);
void source_destroy(struct source *src);
const char *source_spec(const struct source *src);
/* "fb", "client", ... */
const char *source_kind_name(const struct source *src);
/* Whether on-vm-exit=keep shows a mirror of this source's frames (fb:,
 * gvt-sysfs:, whose framebuffers another file owns); client frames are
 * the daemon's own imports already. */
bool source_mirror_on_keep(const struct source *src);
/* -ENOENT when the source has no frame yet. */
int source_current_fb(struct source *src, uint32_t *fb_id);
/* The cursor that goes with the primary plane source_current_fb gave;
 * -ENOENT when there is none (off, or the kind has no cursor). */
int source_cursor(struct source *src, struct source_cursor *out);
/* Sources that report changes call changed(data) on loop from now on. */
void source_watch(struct source *src, sd_event *loop, void (*changed)(void *data), void *data);
/* Whether src reports its next change through changed() (or, for client,
 * through the frames' own requests); when not (a watch not armed yet, a
 * device that cannot be polled), every reconcile pass reads it again. */
bool source_signals(const struct source *src);
/* The plane is shown on card_fd by a monitor refreshing every frame_usec:
 * where imports go and how often a polled source asks. Before
 * source_current_fb. */
void source_set_output(struct source *src, int card_fd, uint64_t frame_usec);
/* A commit put fb_id, what source_current_fb gave (0: nothing), on the
 * plane: for kinds that act once their frame is on screen. */
void source_shown(struct source *src, uint32_t fb_id);
/* Counts the changes the source reported: a new framebuffer may reuse
 * the id of one that is gone, so the id alone does not tell. */
uint64_t source_serial(const struct source *src);
/* The size of fb_id (its current framebuffer or cursor) when the source
 * made it; -ENOENT when the card must be asked. */
int source_fb_size(struct source *src, uint32_t fb_id, uint32_t *width, uint32_t *height);
/* The card's file closed: framebuffers made on it are gone already. */
void source_card_lost(struct source *src);
/* The kind's state, for its own module; NULL when src is not of that kind. */
void *source_impl(struct source *src, const char *kind);
