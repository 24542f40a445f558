#pragma once
#include <stdint.h>

/* What one source kind provides to daemon/source.c. arg is the spec
 * without "scheme:" (NULL for a kind that takes no argument). */
struct source_kind {
	const char *name;
	const char *prefix;   /* "fb:"; or the whole spec when takes_arg is 0 */
	int takes_arg;
	int (*create)(const char *arg, void **impl);
	void (*destroy)(void *impl);
	int (*current_fb)(void *impl, uint32_t *fb_id);
	void (*card_lost)(void *impl);   /* may be NULL */
};

extern const struct source_kind source_kind_fb;
extern const struct source_kind source_kind_client;
