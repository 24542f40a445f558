/* SPDX-License-Identifier: MIT */
/* Value parsers of the config: modes, scaling names, and the checked
 * number and boolean parsing every numeric key goes through. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "config/config.h"
#include "config/number.h"

static void modes_valid(void)
{
	struct config_mode m;
	CHECK_EQ_INT(config_parse_mode("1920x1080", &m), 0);
	CHECK(m.set && m.width == 1920 && m.height == 1080 && m.refresh == 0);
	CHECK_EQ_INT(config_parse_mode("640x480@75", &m), 0);
	CHECK(m.set && m.width == 640 && m.height == 480 && m.refresh == 75);
	CHECK_EQ_INT(config_parse_mode("1x1@1", &m), 0);
	CHECK_EQ_INT(config_parse_mode("16384x16384@1000", &m), 0);
	CHECK(m.width == 16384 && m.height == 16384 && m.refresh == 1000);
	/* Decimal only: a leading zero is not octal. */
	CHECK_EQ_INT(config_parse_mode("0800x0600@060", &m), 0);
	CHECK(m.width == 800 && m.height == 600 && m.refresh == 60);
}

static void modes_invalid(void)
{
	static const char *const bad[] = {
		"", "x", "1920", "1920x", "x1080", "0x0", "0x1080", "1920x0", "-1x5", "+1x5",
		"1920x1080@", "1920x1080@0", "1920x1080@1001", "1920x1080@-60", "19 20x1080",
		"1920 x1080", "99999x1", "16385x1", "1920X1080", "1920x1080x", "1920x1080@60@60",
		"0x780x438", "abc", "1920x1080@60.0", "1920x1080@60Hz", "4294967297x1",
		"1920x1080 ", " 1920x1080",
		"1234567890123456789012345678901234567890123456789012345678901234567890x1",
	};
	struct config_mode m = { .set = false, .width = 7 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_mode(bad[i], &m) != -EINVAL) {
			fprintf(stderr, "accepted mode '%s'\n", bad[i]);
			exit(1);
		}
	}
	CHECK(!m.set && m.width == 7); /* untouched on failure */
	CHECK_EQ_INT(config_parse_mode(NULL, &m), -EINVAL);
}

static void scaling_names(void)
{
	static const char *const names[] = { "fit", "stretch", "center", "none" };
	for (int i = 0; i < 4; i++) {
		enum config_scaling s = CONFIG_SCALING_NONE;
		CHECK_EQ_STR(config_scaling_name((enum config_scaling)i), names[i]);
		CHECK_EQ_INT(config_scaling_parse(names[i], &s), 0);
		CHECK_EQ_INT(s, i);
	}
	enum config_scaling s = CONFIG_SCALING_STRETCH;
	CHECK_EQ_INT(config_scaling_parse("zoom", &s), -EINVAL);
	CHECK_EQ_INT(config_scaling_parse("", &s), -EINVAL);
	CHECK_EQ_INT(config_scaling_parse("FIT", &s), -EINVAL);
	CHECK_EQ_INT(s, CONFIG_SCALING_STRETCH);
	CHECK_EQ_STR(config_scaling_name((enum config_scaling)99), "unknown");
}

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
	{ "modes_valid", modes_valid },
	{ "modes_invalid", modes_invalid },
	{ "scaling_names", scaling_names },
	{ "numbers", numbers },
	{ "booleans", booleans },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
