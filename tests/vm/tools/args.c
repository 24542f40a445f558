/* SPDX-License-Identifier: MIT */
/* Test tools only: see args.h. */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int args_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	if (!s || !(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int args_color(const char *s, uint32_t *out)
{
	return args_u32(s, 16, 0xffffff, out);
}

int args_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
	char tmp[32];
	const char *x = s ? strchr(s, 'x') : NULL;
	if (!x || x - s >= (long)sizeof(tmp))
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(x - s), s);
	uint32_t a, b;
	if (args_u32(tmp, 10, max, &a) < 0 || args_u32(x + 1, 10, max, &b) < 0 || !a || !b)
		return -EINVAL;
	*w = a;
	*h = b;
	return 0;
}
