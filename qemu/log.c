/* SPDX-License-Identifier: MIT */
#include "qemu/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static const char *log_vm = "-";

void log_set_vm(const char *vm)
{
	log_vm = vm;
}

void log_line(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "directflip-qemu: vm=%s %s\n", log_vm, line);
}

bool log_limit_pass(struct log_limit *l, unsigned *suppressed)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long s = (long long)ts.tv_sec;
	if (l->second == s) {
		l->suppressed++;
		return false;
	}
	l->second = s;
	*suppressed = l->suppressed;
	l->suppressed = 0;
	return true;
}
