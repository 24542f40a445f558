/* SPDX-License-Identifier: MIT */
/* Modes and scaling names (config/mode.c). */
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

static const struct test_case cases[] = {
	{ "modes_valid", modes_valid },
	{ "modes_invalid", modes_invalid },
	{ "scaling_names", scaling_names },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
