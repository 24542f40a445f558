/* SPDX-License-Identifier: MIT */
/*
 * The list of messages about a config. Every problem is kept so that a
 * user sees them all at once; the list is bounded because a hostile or
 * broken file can produce one per line.
 */
#include "config/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIAGS 1000
/* Messages quote values; a long value must not make a page of output. */
#define MAX_MESSAGE 512

/* Messages quote what the file says: keep control bytes (escape
 * sequences, stray CRs) from reaching a terminal or the journal. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void config_diags_add(struct config_diags *d, enum config_severity sev, const char *file,
		      unsigned line, const char *fmt, ...)
{
	if (sev == CONFIG_ERROR)
		d->n_errors++;
	if (d->n >= MAX_DIAGS)
		goto drop;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct config_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items)
			goto drop;
		d->items = items;
		d->cap = cap;
	}
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		goto drop;
	if (r > MAX_MESSAGE)
		strcpy(msg + MAX_MESSAGE - 3, "...");
	sanitize(msg);
	char *f = strdup(file ? file : "");
	if (!f)
		goto free_msg;
	d->items[d->n++] = (struct config_diag){ sev, f, line, msg };
	return;

free_msg:
	free(msg);
drop:
	d->n_dropped++;
}

/* Rank of item i's file: its place in `files`, or after them all, the
 * first item that mentions it. */
static size_t file_rank(const struct config_diags *d, size_t first, size_t i,
			const char *const *files, size_t n_files)
{
	for (size_t f = 0; f < n_files; f++)
		if (strcmp(files[f], d->items[i].file) == 0)
			return f;
	for (size_t j = first; j < i; j++)
		if (strcmp(d->items[j].file, d->items[i].file) == 0)
			return n_files + j;
	return n_files + i;
}

void config_diags_sort(struct config_diags *d, size_t first, const char *const *files,
		       size_t n_files)
{
	if (first >= d->n)
		return;
	size_t n = d->n - first;
	size_t *rank = malloc(n * sizeof(*rank));
	if (!rank)
		return; /* unsorted is still complete */
	for (size_t i = 0; i < n; i++)
		rank[i] = file_rank(d, first, first + i, files, n_files);
	/* Insertion sort: stable, and n is at most MAX_DIAGS. */
	for (size_t i = 1; i < n; i++) {
		struct config_diag item = d->items[first + i];
		size_t r = rank[i], j = i;
		while (j > 0 && (rank[j - 1] > r || (rank[j - 1] == r &&
						     d->items[first + j - 1].line > item.line))) {
			d->items[first + j] = d->items[first + j - 1];
			rank[j] = rank[j - 1];
			j--;
		}
		d->items[first + j] = item;
		rank[j] = r;
	}
	free(rank);
}

char *config_diag_format(const struct config_diag *diag)
{
	char *out = NULL;
	const char *sev = diag->severity == CONFIG_ERROR ? "error" : "warning";
	int r = diag->line ? asprintf(&out, "%s:%u: %s: %s", diag->file, diag->line, sev, diag->message)
			   : asprintf(&out, "%s: %s: %s", diag->file, sev, diag->message);
	return r < 0 ? NULL : out;
}

void config_diags_clear(struct config_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	*d = (struct config_diags){ 0 };
}
