/* SPDX-License-Identifier: MIT */
#include "daemon/source/client.h"

#include <errno.h>
#include <stdlib.h>

#include "daemon/source/kind.h"
#include "daemon/source/source.h"
#include "kms/dmabuf-cache.h"

struct client_source {
	const void *conn;  /* the feeding connection, or NULL */
	struct kms_dmabuf_cache *cache;  /* by the client's buffer id */
};

static struct client_source *impl_of(struct source *src)
{
	return source_impl(src, "client");
}

static int client_create(const char *arg, void **impl)
{
	(void)arg;
	struct client_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int r = kms_dmabuf_cache_create(SOURCE_CLIENT_MAX_BUFFERS, &s->cache);
	if (r < 0) {
		free(s);
		return r;
	}
	*impl = s;
	return 0;
}

static void client_destroy(void *impl)
{
	struct client_source *s = impl;
	if (!s)
		return;
	kms_dmabuf_cache_destroy(s->cache);
	free(s);
}

static int client_current(void *impl, uint32_t *fb_id)
{
	struct client_source *s = impl;
	return kms_dmabuf_cache_current(s->cache, fb_id);
}

static int client_fb_size(void *impl, uint32_t fb_id, uint32_t *width, uint32_t *height)
{
	struct client_source *s = impl;
	return kms_dmabuf_cache_fb_size(s->cache, fb_id, width, height);
}

/* A commit showed the source's frame: the framebuffer an import replaced
 * is off screen now. */
static void client_shown(void *impl, uint32_t fb_id)
{
	(void)fb_id;
	struct client_source *s = impl;
	kms_dmabuf_cache_collect(s->cache);
}

static void client_card_lost(void *impl)
{
	struct client_source *s = impl;
	kms_dmabuf_cache_clear(s->cache, false);
}

static int claim(struct client_source *s, const void *conn)
{
	if (s->conn && s->conn != conn)
		return -EBUSY;
	s->conn = conn;
	return 0;
}

int source_client_import(struct source *src, const void *conn, int card_fd, uint32_t id,
			 const struct kms_dmabuf *b, int dmabuf_fd, uint32_t *fb_id)
{
	struct client_source *s = impl_of(src);
	if (!s || id == 0)
		return -EINVAL;
	int r = claim(s, conn);
	if (r < 0)
		return r;
	return kms_dmabuf_cache_import(s->cache, card_fd, id, b, dmabuf_fd, fb_id);
}

int source_client_show(struct source *src, const void *conn, uint32_t id, uint32_t *fb_id)
{
	struct client_source *s = impl_of(src);
	if (!s)
		return -EINVAL;
	int r = claim(s, conn);
	if (r < 0)
		return r;
	if (id == 0)
		return -ENOENT;
	return kms_dmabuf_cache_show(s->cache, id, NULL, fb_id);
}

bool source_client_disown(struct source *src, const void *conn)
{
	struct client_source *s = impl_of(src);
	if (!s || s->conn != conn)
		return false;
	s->conn = NULL;
	kms_dmabuf_cache_hide(s->cache);
	return true;
}

void source_client_drop_buffers(struct source *src)
{
	struct client_source *s = impl_of(src);
	if (s)
		kms_dmabuf_cache_clear(s->cache, true);
}

unsigned source_client_n_buffers(struct source *src)
{
	struct client_source *s = impl_of(src);
	return s ? kms_dmabuf_cache_count(s->cache) : 0;
}

/* A client's frames come with its requests, which map them themselves. */
static bool client_signals(const void *impl)
{
	(void)impl;
	return true;
}

const struct source_kind source_kind_client = {
	.name = "client",
	.prefix = "client",
	.takes_arg = 0,
	.create = client_create,
	.destroy = client_destroy,
	.current_fb = client_current,
	.card_lost = client_card_lost,
	.shown = client_shown,
	.fb_size = client_fb_size,
	.signals = client_signals,
};
