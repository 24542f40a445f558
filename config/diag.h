/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>

/* Messages about a config, collected so that all are reported at once. */
enum config_severity {
	CONFIG_WARNING,
	CONFIG_ERROR,
};

struct config_diag {
	enum config_severity severity;
	char *file;
	unsigned line;   /* 0 = whole file */
	char *message;
};

struct config_diags {
	struct config_diag *items;
	size_t n, cap;
	size_t n_errors;         /* counts every error, kept or dropped */
	size_t n_dropped;        /* messages not kept: past the cap, or out of memory */
};

#if defined(__GNUC__)
#define CONFIG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CONFIG_PRINTF(a, b)
#endif

void config_diags_add(struct config_diags *d, enum config_severity sev, const char *file,
		      unsigned line, const char *fmt, ...) CONFIG_PRINTF(5, 6);
/* Orders items [first, n) by file, then by line; messages on one line keep
 * their order. Files come in the order of `files` (n_files names, may be
 * 0), then any others in the order they are first mentioned. */
void config_diags_sort(struct config_diags *d, size_t first, const char *const *files,
		       size_t n_files);
/* "file:line: error: message" */
char *config_diag_format(const struct config_diag *diag);
void config_diags_clear(struct config_diags *d);
