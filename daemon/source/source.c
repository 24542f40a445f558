/* SPDX-License-Identifier: MIT */
#include "daemon/source/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "config/number.h"
#include "daemon/source/kind.h"

struct source {
	const struct source_kind *kind;
	void *impl;
	char *spec;
	uint64_t serial;              /* changes the kind reported */
	void (*changed)(void *data);
	void *data;
};

static const struct source_kind *const kinds[] = {
	&source_kind_fb,
	&source_kind_client,
	&source_kind_gvt_sysfs,
	&source_kind_vfio,
};


int source_create(const char *spec, struct source **out)
{
	const struct source_kind *kind = NULL;
	const char *arg = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !kind; i++) {
		size_t n = strlen(kinds[i]->prefix);
		if (kinds[i]->takes_arg && strncmp(spec, kinds[i]->prefix, n) == 0) {
			kind = kinds[i];
			arg = spec + n;
		} else if (!kinds[i]->takes_arg && strcmp(spec, kinds[i]->prefix) == 0) {
			kind = kinds[i];
		}
	}
	if (!kind)
		return -EINVAL;
	struct source *src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	src->kind = kind;
	src->spec = strdup(spec);
	if (!src->spec) {
		free(src);
		return -ENOMEM;
	}
	int r = kind->create(arg, &src->impl);
	if (r < 0) {
		free(src->spec);
		free(src);
		return r;
	}
	*out = src;
	return 0;
}

void source_destroy(struct source *src)
{
	if (!src)
		return;
	src->kind->destroy(src->impl);
	free(src->spec);
	free(src);
}

const char *source_spec(const struct source *src)
{
	return src->spec;
}

const char *source_kind_name(const struct source *src)
{
	return src->kind->name;
}

bool source_mirror_on_keep(const struct source *src)
{
	return src->kind->mirror_on_keep;
}

int source_current_fb(struct source *src, uint32_t *fb_id)
{
	return src->kind->current_fb(src->impl, fb_id);
}

int source_cursor(struct source *src, struct source_cursor *out)
{
	return src->kind->cursor ? src->kind->cursor(src->impl, out) : -ENOENT;
}

int source_fb_size(struct source *src, uint32_t fb_id, uint32_t *width, uint32_t *height)
{
	return src->kind->fb_size ? src->kind->fb_size(src->impl, fb_id, width, height) : -ENOENT;
}

void source_changed(struct source *src)
{
	if (!src)
		return;
	src->serial++;
	if (src->changed)
		src->changed(src->data);
}

void source_watch(struct source *src, sd_event *loop, void (*changed)(void *data), void *data)
{
	src->changed = changed;
	src->data = data;
	if (src->kind->watch)
		src->kind->watch(src->impl, loop, src);
}

bool source_signals(const struct source *src)
{
	return src->kind->signals && src->kind->signals(src->impl);
}

void source_set_output(struct source *src, int card_fd, uint64_t frame_usec)
{
	if (src->kind->output)
		src->kind->output(src->impl, card_fd, frame_usec);
}

void source_shown(struct source *src, uint32_t fb_id)
{
	if (src->kind->shown)
		src->kind->shown(src->impl, fb_id);
}

uint64_t source_serial(const struct source *src)
{
	return src->serial;
}

void source_card_lost(struct source *src)
{
	if (src->kind->card_lost)
		src->kind->card_lost(src->impl);
}

void *source_impl(struct source *src, const char *kind)
{
	return src && strcmp(src->kind->name, kind) == 0 ? src->impl : NULL;
}

int source_parse_id(char *buf, size_t len, uint32_t min, uint32_t *id)
{
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	uint32_t v;
	if (config_parse_u32(buf, min, UINT32_MAX, &v) < 0)
		return -EBADMSG;
	*id = v;
	return 0;
}

void source_signal_arm(sd_event *loop, sd_event_source **io, int fd, uint32_t events,
		       sd_event_io_handler_t handler, void *data)
{
	if (!*io && sd_event_add_io(loop, io, fd, events, handler, data) < 0)
		*io = NULL;
	if (*io)
		sd_event_source_set_enabled(*io, SD_EVENT_ON);
}

bool source_signal_fired(sd_event_source *src, uint32_t revents)
{
	sd_event_source_set_enabled(src, SD_EVENT_OFF);
	return (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLPRI);
}
