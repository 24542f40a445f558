/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/source/source.h"

/* What one source kind provides to daemon/source/source.c. arg is the spec
 * without "scheme:" (NULL for a kind that takes no argument). */
struct source_kind {
	const char *name;
	const char *prefix;   /* "fb:"; or the whole spec when takes_arg is 0 */
	int takes_arg;
	/* Its framebuffers belong to another file (the VMM's, the vGPU's), so
	 * on-vm-exit=keep shows a mirror that outlives that file. */
	bool mirror_on_keep;
	int (*create)(const char *arg, void **impl);
	void (*destroy)(void *impl);
	int (*current_fb)(void *impl, uint32_t *fb_id);
	void (*card_lost)(void *impl);   /* may be NULL */
	/* May be NULL. Keeps loop, and owner to call source_changed(owner)
	 * with when the source reports a new framebuffer; idempotent. */
	void (*watch)(void *impl, sd_event *loop, struct source *owner);
	/* May be NULL (then: no). Whether its next change will be reported
	 * (source_signals). */
	bool (*signals)(const void *impl);
	/* May be NULL. The card the plane is on and the monitor's frame
	 * period, for kinds that import buffers or poll; idempotent. */
	void (*output)(void *impl, int card_fd, uint64_t frame_usec);
	/* May be NULL. A commit put fb_id (0: off) on the plane. */
	void (*shown)(void *impl, uint32_t fb_id);
	/* May be NULL (no cursor). After current_fb; -ENOENT: none. */
	int (*cursor)(void *impl, struct source_cursor *out);
	/* May be NULL. The size of fb_id when the kind made it (imports), so
	 * a commit needs no GETFB2; -ENOENT when it does not know it. */
	int (*fb_size)(void *impl, uint32_t fb_id, uint32_t *width, uint32_t *height);
};

/* In a kind: the owner's source reports a new framebuffer (NULL: not
 * watched, nothing to do). */
void source_changed(struct source *owner);

/* The framebuffer id a file or attribute holds: LEN bytes of BUF, which
 * has room for one more, trailing newlines and spaces allowed; at least
 * MIN. -EBADMSG when it is no such number; *id is left alone then. */
int source_parse_id(char *buf, size_t len, uint32_t min, uint32_t *id);

/* A device fd that signals a change (sysfs_notify's POLLPRI, a vGPU's
 * poll): armed after each query, disarmed when it fires, because it keeps
 * signalling until it has been asked again. */
void source_signal_arm(sd_event *loop, sd_event_source **io, int fd, uint32_t events,
		       sd_event_io_handler_t handler, void *data);
/* In the handler: disarms src; true when the device vanished (an error
 * without a change). */
bool source_signal_fired(sd_event_source *src, uint32_t revents);

extern const struct source_kind source_kind_fb;
extern const struct source_kind source_kind_client;
extern const struct source_kind source_kind_gvt_sysfs;
extern const struct source_kind source_kind_vfio;
