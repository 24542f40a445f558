#include "config/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds what a hostile file can make us hold in memory. */
#define MAX_DIAGS 1000

void config_diags_add(struct config_diags *d, enum config_severity sev, const char *file,
		      unsigned line, const char *fmt, ...)
{
	if (sev == CONFIG_ERROR)
		d->n_errors++;
	if (d->n >= MAX_DIAGS)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct config_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items)
			return;
		d->items = items;
		d->cap = cap;
	}
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	char *f = strdup(file ? file : "");
	if (!f) {
		free(msg);
		return;
	}
	d->items[d->n++] = (struct config_diag){ sev, f, line, msg };
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
