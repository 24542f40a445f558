/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>

/*
 * Which vms a reconcile pass looks at, so that a pass costs what changed,
 * not the number of vms (pure; the pass in reconcile.c asks it per vm).
 *
 * A vm is dirty when its own inputs changed: its binding was made anew
 * (bind, unbind, map, a reload that changed it: a new struct vm starts
 * dirty), one of its sources reported a new frame, or its lease was lost.
 * Besides what is dirty, a pass looks at
 *   - every vm, when it is a full pass: startup, the seat coming back,
 *     a reload, a card added or removed (STATE_REREAD_ALL): whatever
 *     happened meanwhile was not tracked;
 *   - the vms without a lease, when a lease ended (its connector, CRTC and
 *     planes are free now) or the connectors were re-read (a monitor came);
 *   - the leased vms, when the connectors were re-read (theirs may be gone);
 * and it reads again the sources that report no change (a vfio device
 * that cannot be polled), and looks for a take-lease frame still shown.
 */
struct dirty_pass {
	bool full;             /* every vm, everything re-read */
	bool connectors_read;  /* a hotplug re-read the connectors */
	bool lease_ended;      /* a lease ended since the last pass, or in this one */
};

struct dirty_vm {
	bool leased;
	bool dirty;
	bool unsignalled;      /* a source that reports no change */
	bool takeover_shown;   /* a take-lease frame waits to be collected */
};

enum {
	DIRTY_JUDGE = 1 << 0,   /* decide again: grant, release, keep, wait */
	DIRTY_SOURCES = 1 << 1, /* read the sources, commit what changed (when kept) */
	DIRTY_COLLECT = 1 << 2, /* remove the take-lease frame once it is off screen */
};

/* What the pass does with one vm: a set of DIRTY_*; 0 leaves it alone. A
 * leased vm not judged keeps its lease as it is. */
unsigned dirty_scope(const struct dirty_pass *pass, const struct dirty_vm *vm);
