/* SPDX-License-Identifier: MIT */
/* The one owner/admin policy (daemon/control/auth.c), through the
 * directflipd-core library. */
#include <stddef.h>

#include "check.h"
#include "config/config.h"
#include "daemon/control/auth.h"

static void may_use(void)
{
	struct config_vm owned = { .name = "desk", .has_owner = true, .owner_uid = 1000 };
	/* owner_uid without has_owner is no owner (a lookup that failed). */
	struct config_vm unowned = { .name = "lab", .owner_uid = 1000 };
	struct control_peer admin = { .uid = 0, .admin = true };
	struct control_peer owner = { .uid = 1000 };
	struct control_peer other = { .uid = 1001 };
	CHECK(control_auth_may_use(&admin, &owned));
	CHECK(control_auth_may_use(&admin, &unowned));
	CHECK(control_auth_may_use(&admin, NULL));
	CHECK(control_auth_may_use(&owner, &owned));
	CHECK(!control_auth_may_use(&other, &owned));
	/* No owner= in the layout: administrators only, whoever asks. */
	CHECK(!control_auth_may_use(&owner, &unowned));
	CHECK(!control_auth_may_use(&owner, NULL));
}

static const struct test_case cases[] = {
	{ "may_use", may_use },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
