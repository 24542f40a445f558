/* SPDX-License-Identifier: MIT */
/* The checked number and boolean parsing every numeric and yes/no key of
 * the config goes through (config/number.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "config/number.h"

static void numbers(void)
{
	uint32_t v = 77;
	CHECK_EQ_INT(config_parse_u32("0", 0, 10, &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(config_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	CHECK_EQ_INT(v, 4294967295u);
	CHECK_EQ_INT(config_parse_u32("0xa0c4", 0, UINT32_MAX, &v), 0);
	CHECK_EQ_INT(v, 0xa0c4);
	CHECK_EQ_INT(config_parse_u32("0XFFFF", 0, UINT16_MAX, &v), 0);
	CHECK_EQ_INT(v, 0xffff);
	CHECK_EQ_INT(config_parse_u32("010", 0, 100, &v), 0);
	CHECK_EQ_INT(v, 10); /* not octal */

	v = 77;
	static const char *const malformed[] = { "", " 1", "1 ", "+1", "-1", "1x", "0x", "0x-1",
						 "0x 1", "0xg", "1.0", "one", "\t1", "1e3" };
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		if (config_parse_u32(malformed[i], 0, UINT32_MAX, &v) != -EINVAL) {
			fprintf(stderr, "accepted number '%s'\n", malformed[i]);
			exit(1);
		}
	}
	CHECK_EQ_INT(config_parse_u32(NULL, 0, 1, &v), -EINVAL);
	CHECK_EQ_INT(config_parse_u32("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	CHECK_EQ_INT(config_parse_u32("18446744073709551616", 0, UINT32_MAX, &v), -ERANGE);
	CHECK_EQ_INT(config_parse_u32("0x100000000", 0, UINT32_MAX, &v), -ERANGE);
	CHECK_EQ_INT(config_parse_u32("9", 1, 8, &v), -ERANGE);
	CHECK_EQ_INT(config_parse_u32("0", 1, 8, &v), -ERANGE);
	CHECK_EQ_INT(v, 77); /* untouched on failure */

	CHECK_EQ_INT(config_parse_u32_dec("42", 0, 100, &v), 0);
	CHECK_EQ_INT(v, 42);
	CHECK_EQ_INT(config_parse_u32_dec("0x2a", 0, 100, &v), -EINVAL);
	CHECK_EQ_INT(config_parse_u32_dec("101", 0, 100, &v), -ERANGE);
	CHECK_EQ_INT(config_parse_u32_dec("-0", 0, 100, &v), -EINVAL);
}

static void booleans(void)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "on", "1" };
	static const char *const no[] = { "no", "No", "false", "FALSE", "off", "0" };
	for (size_t i = 0; i < 6; i++) {
		bool b = false;
		CHECK_EQ_INT(config_parse_bool(yes[i], &b), 0);
		CHECK(b);
		CHECK_EQ_INT(config_parse_bool(no[i], &b), 0);
		CHECK(!b);
	}
	bool b = true;
	static const char *const bad[] = { "", "y", "n", "2", "yes please", "enable", "00" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(config_parse_bool(bad[i], &b), -EINVAL);
	CHECK(b);
}

static const struct test_case cases[] = {
	{ "numbers", numbers },
	{ "booleans", booleans },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
