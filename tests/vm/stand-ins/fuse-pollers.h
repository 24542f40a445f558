/* SPDX-License-Identifier: MIT */
/*
 * The open files of a FUSE or CUSE stand-in (libfuse3), each with its
 * poll handle and whether a change waits since the file last read the
 * state: the POLLPRI a kernel driver's sysfs_notify or eventfd would
 * give. The caller holds its own lock around every call. Test tools only.
 */
#ifndef DF_TESTS_FUSE_POLLERS_H
#define DF_TESTS_FUSE_POLLERS_H

#include <stdbool.h>
#include <stdint.h>

struct fuse_pollhandle;
struct fuse_pollers;

/* NULL when out of memory. */
struct fuse_pollers *fuse_pollers_new(void);

void fuse_pollers_free(struct fuse_pollers *p);

/* A slot for a file being opened (its fh), or -EMFILE past 32 files. */
int fuse_pollers_open(struct fuse_pollers *p);

void fuse_pollers_release(struct fuse_pollers *p, uint64_t slot);

/* Keeps ph (NULL: the one kept stays) to notify slot's poller with;
 * whether a change waits for slot. */
bool fuse_pollers_poll(struct fuse_pollers *p, uint64_t slot, struct fuse_pollhandle *ph);

/* slot's file has read the state: no change waits for it. */
void fuse_pollers_seen(struct fuse_pollers *p, uint64_t slot);

/* A change: every open file has one waiting, and its poller hears. */
void fuse_pollers_notify_all(struct fuse_pollers *p);

#endif
