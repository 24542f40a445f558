/* SPDX-License-Identifier: MIT */
#include "daemon/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

/* The one piece of process-wide state: the log threshold, as in syslog. */
static int log_level = LOG_INFO;

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

static const char *const journal_keys[] = { "vm", "monitor", "connector", "crtc", "lessee",
					     "action", "card", "state" };
#define N_KEYS (sizeof(journal_keys) / sizeof(journal_keys[0]))

static int journal_send(int priority, const char *line)
{
	char fields[N_KEYS + 2][160];
	struct iovec iov[N_KEYS + 2];
	size_t n = 0;
	snprintf(fields[n], sizeof(fields[n]), "PRIORITY=%d", priority);
	iov[n].iov_base = fields[n];
	iov[n].iov_len = strlen(fields[n]);
	n++;
	for (size_t k = 0; k < N_KEYS; k++) {
		size_t klen = strlen(journal_keys[k]);
		for (const char *p = line; (p = strstr(p, journal_keys[k])); p += klen) {
			if ((p != line && p[-1] != ' ') || p[klen] != '=')
				continue;
			const char *v = p + klen + 1;
			size_t vlen = strcspn(v, " ");
			char upper[16];
			for (size_t i = 0; i <= klen; i++)
				upper[i] = (char)toupper((unsigned char)journal_keys[k][i]);
			snprintf(fields[n], sizeof(fields[n]), "%s=%.*s", upper, (int)vlen, v);
			iov[n].iov_base = fields[n];
			iov[n].iov_len = strlen(fields[n]);
			n++;
			break;
		}
	}
	char *msg = NULL;
	if (asprintf(&msg, "MESSAGE=%s", line) < 0)
		return -ENOMEM;
	iov[n].iov_base = msg;
	iov[n].iov_len = strlen(msg);
	n++;
	int r = sd_journal_sendv(iov, (int)n);
	free(msg);
	return r;
}

/* The printf attribute lets callers' formats be checked and keeps clang's
 * -Wformat-nonliteral quiet about passing fmt on. */
static void vlog(int priority, int err, const char *fmt, va_list ap) LOG_PRINTF(3, 0);

static void vlog(int priority, int err, const char *fmt, va_list ap)
{
	if (priority > log_level)
		return;
	char line[2048];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(err));
	/* Under journald, send fields as well: key=value tokens of the
	 * decision log become VM=, MONITOR=, CONNECTOR=, ... */
	if (getenv("JOURNAL_STREAM") && journal_send(priority, line) == 0)
		return;
	fprintf(stderr, "directflipd: %s\n", line);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(priority, 0, fmt, ap);
	va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERR, r < 0 ? -r : r, fmt, ap);
	va_end(ap);
	return r;
}
