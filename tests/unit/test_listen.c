/* SPDX-License-Identifier: MIT */
/* The control socket's path (daemon/control/listen.c), through the
 * directflipd-core library: the runtime directory beside it. */
#include <errno.h>

#include "check.h"
#include "daemon/control/listen.h"

static void socket_sibling(void)
{
	char out[64];
	CHECK_EQ_INT(control_socket_sibling("/run/directflip/control", "state.json", out,
					    sizeof(out)), 0);
	CHECK_EQ_STR(out, "/run/directflip/state.json");
	CHECK_EQ_INT(control_socket_sibling("/tmp/x/ctl/control", "vm", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "/tmp/x/ctl/vm");
	/* A socket at the root: its siblings are at the root too. */
	CHECK_EQ_INT(control_socket_sibling("/control", "input", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "/input");
	CHECK_EQ_INT(control_socket_dir_len("/run/directflip/control"), 15);
	CHECK_EQ_INT(control_socket_dir_len("/control"), 0);
	CHECK_EQ_INT(control_socket_sibling("/run/directflip/control", "state.json", out, 20),
		     -ENAMETOOLONG);
}

static const struct test_case cases[] = {
	{ "socket_sibling", socket_sibling },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
