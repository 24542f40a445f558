/* SPDX-License-Identifier: MIT */
/* When the user or group database itself fails (an LDAP server down, say),
 * the layout names the lookup that failed. This binary defines its own
 * getpwnam_r and getgrnam_r, which the config library linked into it calls
 * instead of libc's: names starting with "broken" fail with EIO, others
 * are not found. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config/config.h"
#include "config/load.h"

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res);
int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **res);

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	*res = NULL;
	return strncmp(name, "broken", 6) == 0 ? EIO : 0;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **res)
{
	*res = NULL;
	return strncmp(name, "broken", 6) == 0 ? EIO : 0;
}

static struct config_diags diags;

static bool rejected_with(const char *text, unsigned line, const char *needle)
{
	struct config *cfg = NULL;
	config_diags_clear(&diags);
	if (config_load_string(text, "t.ini", &cfg, &diags) != -EINVAL || cfg)
		return false;
	for (size_t i = 0; i < diags.n; i++)
		if (diags.items[i].line == line && strstr(diags.items[i].message, needle))
			return true;
	for (size_t i = 0; i < diags.n; i++)
		fprintf(stderr, "  have %u: %s\n", diags.items[i].line, diags.items[i].message);
	return false;
}

static void lookup_failures(void)
{
	CHECK(rejected_with("[vm.a]\nowner = brokenuser\n", 2,
			    "[vm.a] cannot look up user 'brokenuser': Input/output error"));
	CHECK(rejected_with("[daemon]\nsocket-group = brokengroup\n", 2,
			    "[daemon] cannot look up group 'brokengroup': Input/output error"));
	/* The same shim says "not found" for other names: a different message. */
	CHECK(rejected_with("[vm.a]\nowner = nobody-here\n", 2,
			    "is neither a user on this system nor a numeric uid"));
	CHECK(rejected_with("[daemon]\nsocket-group = nogroup-here\n", 2,
			    "is not a group on this system"));
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = { { "lookup_failures", lookup_failures } };
	int r = run_tests(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	config_diags_clear(&diags);
	return r;
}
