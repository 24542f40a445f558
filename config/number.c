/* SPDX-License-Identifier: MIT */
#include "config/number.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

static bool is_digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return true;
	return base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

static int parse(const char *s, int base, uint32_t min, uint32_t max, uint32_t *out)
{
	/* strtoull skips spaces and takes a sign ("-1" wraps to a huge
	 * number); only a digit may start the number. */
	if (!s || !is_digit(*s, base))
		return -EINVAL;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, base);
	if (end == s || *end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	if (errno != 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int config_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	/* Base 0 would read "010" as octal 8; take only 0x explicitly. */
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse(s + 2, 16, min, max, out);
	return parse(s, 10, min, max, out);
}

int config_parse_u32_dec(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	return parse(s, 10, min, max, out);
}

int config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}
