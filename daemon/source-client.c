#include "daemon/source-client.h"

#include <errno.h>
#include <stdlib.h>
#include <xf86drmMode.h>

#include "daemon/source-kind.h"
#include "daemon/source.h"

struct buffer {
	uint32_t id;       /* the client's; 0 = free slot */
	uint32_t fb_id;
	uint64_t last_shown;
};

struct client_source {
	const void *conn;  /* the feeding connection, or NULL */
	int card_fd;       /* where the framebuffers live; -1 before the first import */
	struct buffer bufs[SOURCE_CLIENT_MAX_BUFFERS];
	uint32_t shown;    /* buffer id, 0 = none */
	uint32_t retired_fb;  /* replaced, to remove after the next commit */
	uint64_t clock;
};

static struct client_source *impl_of(struct source *src)
{
	return source_impl(src, "client");
}

static void drop_all(struct client_source *s, bool rmfb)
{
	for (size_t i = 0; i < SOURCE_CLIENT_MAX_BUFFERS; i++) {
		if (s->bufs[i].id && rmfb && s->card_fd >= 0)
			drmModeRmFB(s->card_fd, s->bufs[i].fb_id);
		s->bufs[i] = (struct buffer){ 0 };
	}
	if (s->retired_fb && rmfb && s->card_fd >= 0)
		drmModeRmFB(s->card_fd, s->retired_fb);
	s->retired_fb = 0;
	s->shown = 0;
}

static int client_create(const char *arg, void **impl)
{
	struct client_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->card_fd = -1;
	*impl = s;
	return 0;
}

static void client_destroy(void *impl)
{
	struct client_source *s = impl;
	if (!s)
		return;
	drop_all(s, true);
	free(s);
}

static int client_current(void *impl, uint32_t *fb_id)
{
	struct client_source *s = impl;
	for (size_t i = 0; s->shown && i < SOURCE_CLIENT_MAX_BUFFERS; i++) {
		if (s->bufs[i].id == s->shown) {
			*fb_id = s->bufs[i].fb_id;
			return 0;
		}
	}
	return -ENOENT;
}

static void client_card_lost(void *impl)
{
	struct client_source *s = impl;
	drop_all(s, false);
	s->card_fd = -1;
}

static int claim(struct client_source *s, const void *conn)
{
	if (s->conn && s->conn != conn)
		return -EBUSY;
	s->conn = conn;
	return 0;
}

static struct buffer *find(struct client_source *s, uint32_t id)
{
	for (size_t i = 0; i < SOURCE_CLIENT_MAX_BUFFERS; i++)
		if (s->bufs[i].id == id)
			return &s->bufs[i];
	return NULL;
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
	if (s->card_fd >= 0 && s->card_fd != card_fd)
		drop_all(s, false);
	s->card_fd = card_fd;
	uint32_t fb = 0;
	r = kms_dmabuf_import(card_fd, dmabuf_fd, b, &fb);
	if (r < 0)
		return r;
	/* The slot: the same id, else a free one, else the least recently
	 * shown buffer that is not on screen. */
	struct buffer *slot = find(s, id);
	if (!slot)
		slot = find(s, 0);
	if (!slot) {
		for (size_t i = 0; i < SOURCE_CLIENT_MAX_BUFFERS; i++) {
			struct buffer *c = &s->bufs[i];
			if (c->id != s->shown && (!slot || c->last_shown < slot->last_shown))
				slot = c;
		}
	}
	/* The replaced framebuffer may be on screen: it goes only after the
	 * caller's commit put the new one there (source_client_collect), or
	 * the kernel would switch the plane off in between. */
	if (s->retired_fb)
		drmModeRmFB(card_fd, s->retired_fb);
	s->retired_fb = slot->id ? slot->fb_id : 0;
	*slot = (struct buffer){ .id = id, .fb_id = fb, .last_shown = ++s->clock };
	s->shown = id;
	*fb_id = fb;
	return 0;
}

int source_client_show(struct source *src, const void *conn, uint32_t id, uint32_t *fb_id)
{
	struct client_source *s = impl_of(src);
	if (!s)
		return -EINVAL;
	int r = claim(s, conn);
	if (r < 0)
		return r;
	struct buffer *b = find(s, id);
	if (!b || id == 0)
		return -ENOENT;
	b->last_shown = ++s->clock;
	s->shown = id;
	*fb_id = b->fb_id;
	return 0;
}

void source_client_collect(struct source *src)
{
	struct client_source *s = impl_of(src);
	if (s && s->retired_fb && s->card_fd >= 0)
		drmModeRmFB(s->card_fd, s->retired_fb);
	if (s)
		s->retired_fb = 0;
}

bool source_client_disown(struct source *src, const void *conn)
{
	struct client_source *s = impl_of(src);
	if (!s || s->conn != conn)
		return false;
	s->conn = NULL;
	s->shown = 0;
	return true;
}

void source_client_drop_buffers(struct source *src)
{
	struct client_source *s = impl_of(src);
	if (s)
		drop_all(s, true);
}

unsigned source_client_n_buffers(struct source *src)
{
	struct client_source *s = impl_of(src);
	unsigned n = 0;
	for (size_t i = 0; s && i < SOURCE_CLIENT_MAX_BUFFERS; i++)
		n += s->bufs[i].id != 0;
	return n;
}

const struct source_kind source_kind_client = {
	.name = "client",
	.prefix = "client",
	.takes_arg = 0,
	.create = client_create,
	.destroy = client_destroy,
	.current_fb = client_current,
	.card_lost = client_card_lost,
};
