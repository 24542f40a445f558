/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <xf86drmMode.h>

#include "config/config.h"
#include "daemon/log.h"
#include "daemon/source/source.h"
#include "kms/alloc.h"

struct state;

enum vm_state {
	VM_UNBOUND,   /* no monitor in the layout */
	VM_WAITING,   /* monitor absent or taken; the binding stays desired */
	VM_LEASED,    /* lease granted, modeset done */
	VM_FAILED,    /* the binding cannot be met; see error */
};

/* Who wrote vm->error: each writer clears only what it wrote. */
enum vm_error_origin {
	VM_ERROR_NONE,
	VM_ERROR_BINDING,   /* vm_fail, vm_create: the binding or a source's spec */
	VM_ERROR_SOURCE,    /* a plane source that cannot be read (state/planes.c) */
	VM_ERROR_CLIENT,    /* a VMM's frame that could not be shown (control/m-client.c) */
};

/* A VM's actual state next to its desired state (cfg). */
struct vm {
	char *name;
	const struct config_vm *cfg;   /* into the daemon's current config */
	enum vm_state state;
	char error[256];               /* "" when none; vgpu-assign vms, error events */
	enum vm_error_origin error_origin;
	struct source *sources[CONFIG_MAX_PLANES];
	/* The next pass must look at it (daemon/state/dirty.h); a new vm is. */
	bool dirty;
	/* Where its sources' news goes (planes.c arms their watches). */
	struct state *st;

	/* Valid while state == VM_LEASED. */
	uint32_t lessee_id;
	int lease_fd;
	uint32_t conn_id;
	char conn_name[32];
	struct kms_alloc_result alloc;
	drmModeModeInfo mode;
	uint32_t shown_fb[CONFIG_MAX_PLANES];  /* 0 = plane off */
	/* With on-vm-exit=keep, shown_fb is the daemon's mirror (on lease_fd)
	 * of the source's framebuffer source_fb: see kms/framebuffer.h. */
	bool mirrored[CONFIG_MAX_PLANES];
	uint32_t source_fb[CONFIG_MAX_PLANES];     /* 0 = the source had none */
	uint64_t source_serial[CONFIG_MAX_PLANES];
	/* take-lease: the new client's first frame, imported on the daemon's
	 * card fd, shown on plane 0 until that client flips its own; removed
	 * once the plane shows something else or the lease ends. 0 = none. */
	uint32_t takeover_fb;
	/* Who was last sent this lease's fd (get-lease, take-lease): named in
	 * the lease-takeover event. */
	bool has_holder;
	int holder_pid;
	unsigned holder_uid;
	/* Plane 0's source's cursor on the CRTC's cursor plane; fb 0 = off. */
	struct source_cursor cursor;
};

/* Sources that fail to parse are reported in vm->error, not fatal. */
struct vm *vm_create(const struct config_vm *cfg);
void vm_destroy(struct vm *vm);
/* Moves each `client` source of from to to's plane of the same index when
 * to names it too: a binding change recreates the vm, and the VMM's
 * connection must go on feeding it (docs/protocol.md). */
void vm_take_client_sources(struct vm *to, struct vm *from);
const char *vm_state_name(enum vm_state s);
/* Desired-state equality: same monitor, planes, sources, mode and scaling. */
bool vm_binding_equal(const struct config *a_cfg, const struct config_vm *a,
		      const struct config *b_cfg, const struct config_vm *b);
/* vm->error becomes msg (truncated), written by origin; true when the text
 * changed. */
bool vm_set_error(struct vm *vm, enum vm_error_origin origin, const char *msg);
/* No error any more, whoever wrote it. */
void vm_clear_error(struct vm *vm);
/* No error any more, when origin wrote the one there is. */
void vm_clear_error_from(struct vm *vm, enum vm_error_origin origin);
/* Sets vm's state and its reason (vgpu-assign vms), logging the change
 * once: one line per decision, not one per pass. */
void vm_fail(struct vm *vm, enum vm_state state, const char *fmt, ...) LOG_PRINTF(3, 4);
