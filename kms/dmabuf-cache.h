/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "kms/dmabuf.h"

/* Framebuffers imported from dma-bufs (kms_dmabuf_import), kept under the
 * caller's key so that a buffer shown again costs no import: the client
 * source keys them by the VMM's buffer id, the vfio source by the
 * device's dmabuf_id. Bounded: a new key evicts the least recently shown
 * entry that is not on screen. A replaced or evicted framebuffer that may
 * still be on screen is removed only by kms_dmabuf_cache_collect (after
 * the commit that replaced it) or the next import, or the kernel would
 * switch the plane off in between. */
struct kms_dmabuf_cache;

#define KMS_DMABUF_CACHE_MAX 64

/* -EINVAL for max 0 or above KMS_DMABUF_CACHE_MAX. */
int kms_dmabuf_cache_create(unsigned max, struct kms_dmabuf_cache **out);
/* Removes every framebuffer. */
void kms_dmabuf_cache_destroy(struct kms_dmabuf_cache *c);
/* Imports dmabuf_fd (borrowed) on card_fd under key (replacing the entry
 * of that key) and makes it the shown one. A card_fd other than the
 * cache's forgets the old card's entries. Errors as kms_dmabuf_import. */
int kms_dmabuf_cache_import(struct kms_dmabuf_cache *c, int card_fd, uint32_t key,
			    const struct kms_dmabuf *b, int dmabuf_fd, uint32_t *fb_id);
/* Makes key's entry the shown one. With want, the entry must have been
 * imported with the same size, format, modifier, stride and offset.
 * -ENOENT when there is no such entry (never imported, or evicted). */
int kms_dmabuf_cache_show(struct kms_dmabuf_cache *c, uint32_t key, const struct kms_dmabuf *want,
			  uint32_t *fb_id);
/* The shown entry's framebuffer; -ENOENT when none is shown. */
int kms_dmabuf_cache_current(const struct kms_dmabuf_cache *c, uint32_t *fb_id);
/* The size fb_id was imported with, when it is one of the entries: the
 * cache made it, so no GETFB2 is needed. -ENOENT otherwise. */
int kms_dmabuf_cache_fb_size(const struct kms_dmabuf_cache *c, uint32_t fb_id, uint32_t *width,
			     uint32_t *height);
/* Nothing is shown any more; the entries stay. */
void kms_dmabuf_cache_hide(struct kms_dmabuf_cache *c);
/* Removes the framebuffer the last import replaced. */
void kms_dmabuf_cache_collect(struct kms_dmabuf_cache *c);
/* Empties the cache; rmfb false when the card's file is gone already
 * (its framebuffers went with it). */
void kms_dmabuf_cache_clear(struct kms_dmabuf_cache *c, bool rmfb);
unsigned kms_dmabuf_cache_count(const struct kms_dmabuf_cache *c);
