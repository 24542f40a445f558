/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

/*
 * The daemon's domain as the reconcile pass, the events and the methods
 * see it: the card, the layout, the VMs and the runtime bindings. The
 * wiring (daemon.c) owns it and provides the two things only the wiring
 * can do, through hooks: schedule a reconcile on its loop, and reload the
 * layout from disk.
 */
struct card;
struct config;
struct control_bindings;
struct events;
struct input;
struct vm;

/* How much of the card the next reconcile re-reads; the largest asked wins. */
enum state_reread {
	STATE_REREAD_NONE,        /* lessees only (LEASE=1) */
	STATE_REREAD_CONNECTORS,  /* HOTPLUG=1 */
	STATE_REREAD_ALL,
};

struct state_hooks {
	/* Marks a reconcile for when the loop is next idle: a burst of events
	 * costs one pass. */
	void (*schedule)(void *data, enum state_reread reread);
	/* Reads the layout again and applies it. A layout with errors is
	 * rejected whole: -EINVAL, the old one keeps running. */
	int (*reload)(void *data);
};

struct state {
	sd_event *loop;
	struct card *card;                 /* NULL while there is none */
	struct config *config;
	const char *config_path;
	const char *dropin_dir;
	const char *socket_path;           /* the control socket, as status shows it */
	struct vm **vms;                   /* one per [vm.NAME], in layout order */
	size_t n_vms;
	struct control_bindings *bindings; /* vgpu-assign bind/unbind/map, over the layout */
	struct events *events;
	struct input *input;               /* NULL: input routing is off */
	const struct state_hooks *hooks;
	void *hooks_data;
	/* A lease ended since the last pass: its objects are free for the
	 * vms waiting (daemon/state/dirty.h). */
	bool lease_ended;
};

/* A reconcile of everything reread names, soon. STATE_REREAD_ALL makes it
 * a full pass: every vm is looked at. */
void state_schedule(struct state *s, enum state_reread reread);
/* A pass soon that looks at vm: its inputs changed. */
void state_schedule_vm(struct state *s, struct vm *vm);
/* The layout again from disk; see struct state_hooks. */
int state_reload(struct state *s);
/* The vm called name, or NULL; *index is its position when found. */
struct vm *state_vm(const struct state *s, const char *name, size_t *index);
