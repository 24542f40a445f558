/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "kms/dmabuf.h"

/* The `client` source: a VMM pushes dma-bufs over the control socket
 * (scanout-dmabuf, update-dmabuf), as QEMU's D-Bus display does with
 * ScanoutDMABUF/UpdateDMABUF. Each buffer is imported once, kept under the
 * client's buffer id, and shown when the client says so. One connection
 * feeds a source at a time; its framebuffers die with it. */
struct source;

/* Buffers kept per source; the least recently shown one makes room. */
#define SOURCE_CLIENT_MAX_BUFFERS 8

/* Imports dmabuf_fd (borrowed) on card_fd as buffer id (replacing one of
 * that id) and shows it. -EBUSY when another connection feeds src;
 * import errors as kms_dmabuf_import. */
int source_client_import(struct source *src, const void *conn, int card_fd, uint32_t id,
			 const struct kms_dmabuf *b, int dmabuf_fd, uint32_t *fb_id);
/* Shows buffer id again. -ENOENT for an id not imported (or evicted). */
int source_client_show(struct source *src, const void *conn, uint32_t id, uint32_t *fb_id);
/* conn went away: nothing is shown any more; true when it fed src. Its
 * framebuffers stay until source_client_drop_buffers, so that the plane
 * can be switched off first. */
bool source_client_disown(struct source *src, const void *conn);
void source_client_drop_buffers(struct source *src);
/* Buffers currently imported, for `vgpu-assign vms` and tests. */
unsigned source_client_n_buffers(struct source *src);
