/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A guest frame as a dma-buf (ScanoutDMABUF): imported on the lease fd by
 * PRIME with its fourcc, stride and modifier and put on the plane as it is,
 * no copy. The fd is kept so that a new lease imports it again.
 */
#include <stdbool.h>
#include <stdint.h>

struct dmabuf {
	int fd;             /* our dup, -1: none */
	uint32_t w, h, stride, fourcc;
	uint64_t modifier;
	bool y0_top;
	uint32_t fb;        /* on card_fd; 0: not imported */
	int card_fd;
};

/* Takes a dup of fd (borrowed) and imports it on card_fd (-1: later). On
 * failure d is left empty. */
int dmabuf_set(struct dmabuf *d, int fd, uint32_t w, uint32_t h, uint32_t stride,
	       uint32_t fourcc, uint64_t modifier, bool y0_top, int card_fd);
/* Imports the kept fd on a new card fd (a new lease). */
int dmabuf_import(struct dmabuf *d, int card_fd);
/* Removes the framebuffer; keep_fd false also closes the fd. */
void dmabuf_clear(struct dmabuf *d, bool keep_fd);
