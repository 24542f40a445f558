/* SPDX-License-Identifier: MIT */
#pragma once
/* Test assertions that stay on in every build type (assert() would not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                             \
	do {                                                                           \
		long long va_ = (long long)(a), vb_ = (long long)(b);                  \
		if (va_ != vb_) {                                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, va_, vb_);                 \
			exit(1);                                                       \
		}                                                                      \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                                 \
	do {                                                                               \
		const char *sa_ = (a), *sb_ = (b);                                         \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", \
				__FILE__, __LINE__, #a, #b, sa_ ? sa_ : "(null)",          \
				sb_ ? sb_ : "(null)");                                     \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

/* One binary, many cases: `test_x NAME` runs one, no argument runs all. */
struct test_case {
	const char *name;
	void (*fn)(void);
};

static inline int run_tests(const struct test_case *cases, size_t n, int argc, char **argv)
{
	int ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		cases[i].fn();
		printf("ok %s\n", cases[i].name);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
		return 1;
	}
	return 0;
}
#define RUN_TESTS(cases, argc, argv) run_tests(cases, sizeof(cases) / sizeof(cases[0]), argc, argv)
