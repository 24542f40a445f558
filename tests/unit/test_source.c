/* SPDX-License-Identifier: MIT */
/* Source specs (daemon/source/source.c and its kinds), through the
 * directflipd-core library. */
#include <errno.h>
#include <stdbool.h>

#include "check.h"
#include "daemon/source/source.h"

static void specs(void)
{
	struct {
		const char *spec;
		int result;
		const char *kind;
		bool mirror;
	} cases[] = {
		{ "fb:42", 0, "fb", true },
		{ "fb:0x2a", 0, "fb", true },
		{ "fb:/run/vm1/fb", 0, "fb", true },
		{ "client", 0, "client", false },
		{ "gvt-sysfs:/sys/bus/mdev/devices/x", 0, "gvt-sysfs", true },
		{ "gvt-sysfs:/sys/bus/mdev/devices/x#1", 0, "gvt-sysfs", true },
		{ "fb:", -EINVAL, NULL },
		{ "fb:0", -EINVAL, NULL },
		{ "fb:forty", -EINVAL, NULL },
		{ "client:x", -EINVAL, NULL },
		{ "gvt-sysfs:relative", -EINVAL, NULL },
		{ "gvt-sysfs:/x#plane", -EINVAL, NULL },
		{ "vfio:relative", -EINVAL, NULL },
		{ "vfio:/dev/vfio/1#relative", -EINVAL, NULL },
		{ "nosuchkind:1", -EINVAL, NULL },
		{ "", -EINVAL, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct source *src = NULL;
		int r = source_create(cases[i].spec, &src);
		if (r != cases[i].result) {
			fprintf(stderr, "spec '%s': %d, expected %d\n", cases[i].spec, r,
				cases[i].result);
			CHECK(false);
		}
		if (r == 0) {
			CHECK_EQ_STR(source_kind_name(src), cases[i].kind);
			CHECK_EQ_STR(source_spec(src), cases[i].spec);
			CHECK_EQ_INT(source_mirror_on_keep(src), cases[i].mirror);
		}
		source_destroy(src);
	}
}

static const struct test_case cases[] = {
	{ "specs", specs },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
