/* SPDX-License-Identifier: MIT */
/*
 * Checked number parsing for the test tools' command lines (and the
 * values their stand-in files are written). Test tools only.
 */
#ifndef DF_TESTS_ARGS_H
#define DF_TESTS_ARGS_H

#include <stdint.h>

/* s, all of it, as a number in base (0: C's 0x and 0 prefixes) of at
 * most max. It must start with a digit of base: no sign, no blanks.
 * -EINVAL, leaving *out alone, otherwise. */
int args_u32(const char *s, int base, uint32_t max, uint32_t *out);

/* RRGGBB in hex, at most 0xffffff. */
int args_color(const char *s, uint32_t *out);

/* WxH, each 1 to max, in base 10. */
int args_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h);

#endif
