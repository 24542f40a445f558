/* SPDX-License-Identifier: MIT */
#pragma once
#include <syslog.h>

/* The daemon layer's logging: modules return errors, this logs them once.
 * Lines carry a syslog priority prefix ("<6>") that journald understands
 * when stderr is the journal, and key=value fields for the decision log. */

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

void log_set_level(int level);
int log_get_level(void);
void log_msg(int priority, const char *fmt, ...) LOG_PRINTF(2, 3);
/* Logs and returns r (a negative errno) so callers can `return log_errno(...)`. */
int log_errno(int r, const char *fmt, ...) LOG_PRINTF(2, 3);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
