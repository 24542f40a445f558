/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

/* One single-plane dma-buf as a VMM describes it (QEMU's D-Bus display
 * ScanoutDMABUF carries the same fields). */
struct kms_dmabuf {
	uint32_t width, height;
	uint32_t format;     /* DRM fourcc */
	uint64_t modifier;   /* DRM_FORMAT_MOD_INVALID: none given */
	uint32_t stride, offset;
};

/* Makes a framebuffer on card_fd from dmabuf_fd (borrowed): PRIME import,
 * then ADDFB2 (with the modifier when the card takes modifiers). The GEM
 * handle is closed again: the framebuffer holds the buffer. -EOPNOTSUPP for
 * a non-linear modifier on a card without modifier support. */
int kms_dmabuf_import(int card_fd, int dmabuf_fd, const struct kms_dmabuf *b, uint32_t *fb_id);
