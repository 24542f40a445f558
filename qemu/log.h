/* SPDX-License-Identifier: MIT */
#pragma once
/* One line per decision on stderr (journald adds the time), like the
 * daemon's: "directflip-qemu: vm=vm1 ...". */
#include <stdbool.h>

void log_set_vm(const char *vm);
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A limiter for lines a peer can cause at will (a flood of bad messages):
 * the first line of a kind in each second is printed, the rest are counted
 * and their number goes with the next printed line. */
struct log_limit {
	long long second;
	unsigned suppressed;
};
bool log_limit_pass(struct log_limit *l, unsigned *suppressed);
