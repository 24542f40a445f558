/* SPDX-License-Identifier: MIT */
#include "kms/dmabuf-cache.h"

#include <errno.h>
#include <stdlib.h>
#include <xf86drmMode.h>

struct entry {
	bool used;
	uint32_t key;
	uint32_t fb_id;
	struct kms_dmabuf desc;
	uint64_t last_shown;
};

struct kms_dmabuf_cache {
	unsigned max;
	int card_fd;          /* where the framebuffers live; -1 before the first import */
	bool showing;
	uint32_t shown;       /* key of the shown entry, when showing */
	uint32_t retired_fb;  /* replaced, to remove after the next commit */
	uint64_t clock;
	struct entry e[];
};

int kms_dmabuf_cache_create(unsigned max, struct kms_dmabuf_cache **out)
{
	if (max == 0 || max > KMS_DMABUF_CACHE_MAX)
		return -EINVAL;
	struct kms_dmabuf_cache *c = calloc(1, sizeof(*c) + max * sizeof(c->e[0]));
	if (!c)
		return -ENOMEM;
	c->max = max;
	c->card_fd = -1;
	*out = c;
	return 0;
}

void kms_dmabuf_cache_clear(struct kms_dmabuf_cache *c, bool rmfb)
{
	rmfb = rmfb && c->card_fd >= 0;
	for (unsigned i = 0; i < c->max; i++) {
		if (c->e[i].used && rmfb)
			drmModeRmFB(c->card_fd, c->e[i].fb_id);
		c->e[i] = (struct entry){ 0 };
	}
	if (c->retired_fb && rmfb)
		drmModeRmFB(c->card_fd, c->retired_fb);
	c->retired_fb = 0;
	c->showing = false;
	if (!rmfb)
		c->card_fd = -1;
}

void kms_dmabuf_cache_destroy(struct kms_dmabuf_cache *c)
{
	if (!c)
		return;
	kms_dmabuf_cache_clear(c, true);
	free(c);
}

static struct entry *find(struct kms_dmabuf_cache *c, uint32_t key)
{
	for (unsigned i = 0; i < c->max; i++)
		if (c->e[i].used && c->e[i].key == key)
			return &c->e[i];
	return NULL;
}

static bool same_desc(const struct kms_dmabuf *a, const struct kms_dmabuf *b)
{
	return a->width == b->width && a->height == b->height && a->format == b->format &&
	       a->modifier == b->modifier && a->stride == b->stride && a->offset == b->offset;
}

int kms_dmabuf_cache_import(struct kms_dmabuf_cache *c, int card_fd, uint32_t key,
			    const struct kms_dmabuf *b, int dmabuf_fd, uint32_t *fb_id)
{
	if (c->card_fd >= 0 && c->card_fd != card_fd)
		kms_dmabuf_cache_clear(c, false);
	c->card_fd = card_fd;
	uint32_t fb = 0;
	int r = kms_dmabuf_import(card_fd, dmabuf_fd, b, &fb);
	if (r < 0)
		return r;
	/* The slot: the same key, else a free one, else the least recently
	 * shown entry that is not on screen. */
	struct entry *slot = find(c, key);
	for (unsigned i = 0; i < c->max && !slot; i++)
		if (!c->e[i].used)
			slot = &c->e[i];
	if (!slot) {
		for (unsigned i = 0; i < c->max; i++) {
			struct entry *e = &c->e[i];
			bool on_screen = c->showing && e->key == c->shown;
			if (!on_screen && (!slot || e->last_shown < slot->last_shown))
				slot = e;
		}
	}
	if (c->retired_fb)
		drmModeRmFB(card_fd, c->retired_fb);
	c->retired_fb = slot->used ? slot->fb_id : 0;
	*slot = (struct entry){ .used = true, .key = key, .fb_id = fb, .desc = *b,
				.last_shown = ++c->clock };
	c->showing = true;
	c->shown = key;
	*fb_id = fb;
	return 0;
}

int kms_dmabuf_cache_show(struct kms_dmabuf_cache *c, uint32_t key, const struct kms_dmabuf *want,
			  uint32_t *fb_id)
{
	struct entry *e = find(c, key);
	if (!e || (want && !same_desc(&e->desc, want)))
		return -ENOENT;
	e->last_shown = ++c->clock;
	c->showing = true;
	c->shown = key;
	*fb_id = e->fb_id;
	return 0;
}

int kms_dmabuf_cache_current(const struct kms_dmabuf_cache *c, uint32_t *fb_id)
{
	for (unsigned i = 0; c->showing && i < c->max; i++) {
		if (c->e[i].used && c->e[i].key == c->shown) {
			*fb_id = c->e[i].fb_id;
			return 0;
		}
	}
	return -ENOENT;
}

int kms_dmabuf_cache_fb_size(const struct kms_dmabuf_cache *c, uint32_t fb_id, uint32_t *width,
			     uint32_t *height)
{
	for (unsigned i = 0; fb_id && i < c->max; i++) {
		if (c->e[i].used && c->e[i].fb_id == fb_id) {
			*width = c->e[i].desc.width;
			*height = c->e[i].desc.height;
			return 0;
		}
	}
	return -ENOENT;
}

void kms_dmabuf_cache_hide(struct kms_dmabuf_cache *c)
{
	c->showing = false;
}

void kms_dmabuf_cache_collect(struct kms_dmabuf_cache *c)
{
	if (c->retired_fb && c->card_fd >= 0)
		drmModeRmFB(c->card_fd, c->retired_fb);
	c->retired_fb = 0;
}

unsigned kms_dmabuf_cache_count(const struct kms_dmabuf_cache *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->max; i++)
		n += c->e[i].used;
	return n;
}
