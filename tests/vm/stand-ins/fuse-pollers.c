/* SPDX-License-Identifier: MIT */
/* SIMULATION helper for the FUSE and CUSE stand-ins: see fuse-pollers.h. */
#define FUSE_USE_VERSION 31
#include "fuse-pollers.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>

#define MAX_FILES 32

struct fuse_pollers {
	bool used[MAX_FILES], changed[MAX_FILES];
	struct fuse_pollhandle *ph[MAX_FILES];
};

struct fuse_pollers *fuse_pollers_new(void)
{
	return calloc(1, sizeof(struct fuse_pollers));
}

void fuse_pollers_free(struct fuse_pollers *p)
{
	if (!p)
		return;
	for (int i = 0; i < MAX_FILES; i++)
		if (p->ph[i])
			fuse_pollhandle_destroy(p->ph[i]);
	free(p);
}

int fuse_pollers_open(struct fuse_pollers *p)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (!p->used[i]) {
			p->used[i] = true;
			p->changed[i] = false;
			return i;
		}
	return -EMFILE;
}

void fuse_pollers_release(struct fuse_pollers *p, uint64_t slot)
{
	p->used[slot] = false;
	if (p->ph[slot])
		fuse_pollhandle_destroy(p->ph[slot]);
	p->ph[slot] = NULL;
}

bool fuse_pollers_poll(struct fuse_pollers *p, uint64_t slot, struct fuse_pollhandle *ph)
{
	if (ph) {
		if (p->ph[slot])
			fuse_pollhandle_destroy(p->ph[slot]);
		p->ph[slot] = ph;
	}
	return p->changed[slot];
}

void fuse_pollers_seen(struct fuse_pollers *p, uint64_t slot)
{
	p->changed[slot] = false;
}

void fuse_pollers_notify_all(struct fuse_pollers *p)
{
	for (int i = 0; i < MAX_FILES; i++) {
		p->changed[i] = p->used[i];
		if (p->ph[i])
			fuse_lowlevel_notify_poll(p->ph[i]);
	}
}
