/* SPDX-License-Identifier: MIT */
/* One VM's state (daemon/state/vm.c), through the directflipd-core library:
 * vm->error and who wrote it. */
#include <string.h>

#include "check.h"
#include "config/config.h"
#include "daemon/state/vm.h"

/* Each writer clears only what it wrote; the text is the user's. */
static void error_origin(void)
{
	struct config_vm cv = { .name = "vm1", .monitor = "left" };
	struct vm vm = { .name = "vm1", .cfg = &cv, .state = VM_LEASED };
	CHECK(vm_set_error(&vm, VM_ERROR_SOURCE, "plane source 0 'fb:/x': No such device"));
	CHECK(!vm_set_error(&vm, VM_ERROR_SOURCE, "plane source 0 'fb:/x': No such device"));
	vm_clear_error_from(&vm, VM_ERROR_CLIENT);
	CHECK_EQ_STR(vm.error, "plane source 0 'fb:/x': No such device");
	vm_clear_error_from(&vm, VM_ERROR_SOURCE);
	CHECK_EQ_STR(vm.error, "");

	/* A binding's reason outlives the source getting well again. */
	vm_fail(&vm, VM_LEASED, "plane 0: framebuffer 7 unusable: Invalid argument");
	vm_clear_error_from(&vm, VM_ERROR_SOURCE);
	vm_clear_error_from(&vm, VM_ERROR_CLIENT);
	CHECK_EQ_STR(vm.error, "plane 0: framebuffer 7 unusable: Invalid argument");
	CHECK_EQ_INT(vm.error_origin, VM_ERROR_BINDING);

	/* A client's error with a prefix another writer could have used. */
	CHECK(vm_set_error(&vm, VM_ERROR_CLIENT, "client frame: vm vm1: showing buffer 2 failed"));
	vm_clear_error_from(&vm, VM_ERROR_BINDING);
	CHECK_EQ_STR(vm.error, "client frame: vm vm1: showing buffer 2 failed");
	vm_clear_error(&vm);
	CHECK_EQ_STR(vm.error, "");
	CHECK_EQ_INT(vm.error_origin, VM_ERROR_NONE);

	/* Too long: cut, and the same cut text again is no change. */
	char lng[400];
	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	CHECK(vm_set_error(&vm, VM_ERROR_SOURCE, lng));
	CHECK_EQ_INT(strlen(vm.error), sizeof(vm.error) - 1);
	CHECK(!vm_set_error(&vm, VM_ERROR_SOURCE, lng));
}

static const struct test_case cases[] = {
	{ "error_origin", error_origin },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
