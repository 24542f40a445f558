/* SPDX-License-Identifier: MIT */
#pragma once
/* Internal to config/: the state of reading one layout, shared by the
 * line reader and sections (parse.c), the schema (keys.c) and file
 * loading (config.c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"

enum section_kind {
	SECTION_NONE,    /* before the first header */
	SECTION_SKIP,    /* a header already reported as unusable: its keys are ignored */
	SECTION_DAEMON,
	SECTION_MONITOR,
	SECTION_VM,
	SECTION_SEAT,
};

struct seen {
	char *name;
	unsigned line;
};

struct seen_list {
	struct seen *items;
	size_t n;
};

struct parser {
	struct config *cfg;
	struct config_diags *diags;
	bool oom;

	/* The file being read: a FILE or a string. */
	const char *file; /* owned by cfg->files */
	unsigned line;
	FILE *f;
	const char *text;
	char *buf;        /* one physical line */
	int read_errno;

	/* The current section. A section that is valid but must not change
	 * the layout (a duplicate, a bad name, over a limit) still has its
	 * keys checked, into `tmp`. */
	enum section_kind kind;
	char *section;    /* the header as written, for messages: "vm.win" */
	bool scratch;
	size_t index;
	union {
		struct config_daemon daemon;
		struct config_monitor monitor;
		struct config_vm vm;
		struct config_seat seat;
	} tmp;
	struct seen_list keys;     /* keys set in this section so far */
	struct seen_list sections; /* sections opened in this file */
};

#define PERR(p, ...) config_diags_add((p)->diags, CONFIG_ERROR, (p)->file, (p)->line, __VA_ARGS__)
#define PWARN(p, ...) config_diags_add((p)->diags, CONFIG_WARNING, (p)->file, (p)->line, __VA_ARGS__)

/* parse.c */
/* Reads p->f or p->text as `file` into p->cfg. */
void parser_read(struct parser *p, const char *file);
void parser_fini(struct parser *p);
/* The entry the current section writes to (in the layout, or scratch). */
void *parser_entry(struct parser *p);
struct config_where parser_where(struct parser *p);
/* Replaces *dst with a copy of value; false when out of memory. */
bool parser_set_str(struct parser *p, char **dst, const char *value);
/* Appends name, at the current line; false when out of memory. */
bool parser_seen_add(struct parser *p, struct seen_list *l, const char *name);
/* [A-Za-z0-9_-]{1,CONFIG_MAX_NAME} */

/* keys.c */
/* One `key = value` of the current section. */
void config_key(struct parser *p, const char *key, const char *value);
void config_daemon_init(struct config_daemon *d);
void config_monitor_init(struct config_monitor *m);
void config_vm_init(struct config_vm *vm);
void config_seat_init(struct config_seat *s);

/* config.c */
void config_daemon_fini(struct config_daemon *d);
void config_monitor_fini(struct config_monitor *m);
void config_vm_fini(struct config_vm *vm);
void config_seat_fini(struct config_seat *s);
void config_words_free(char **words, size_t n);
