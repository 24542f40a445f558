/* SPDX-License-Identifier: MIT */
/* One VM's state (daemon/state/vm.c), through the directflipd-core library:
 * vm->error and who wrote it, and the client sources a rebinding keeps. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config/config.h"
#include "config/load.h"
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

/* Seed 1 of the soak (tests/soak/README.md): `vgpu-assign unbind relay`
 * recreated the vm with a new client source, and the relay client, still
 * connected, got ENOENT for its buffers. The client source moves to the
 * new vm; other kinds and other specs do not. */
static void rebinding_keeps_the_client_source(void)
{
	struct config_diags diags = { 0 };
	struct config *cfg = NULL;
	CHECK_EQ_INT(config_load_string("[monitor.left]\nconnector = Virtual-2\n"
					 "[vm.vm1]\nmonitor = left\nplanes = 3\n"
					 "source.0 = client\nsource.1 = fb:/run/vm1/plane1\n"
					 "source.2 = client\n",
					 "test.ini", &cfg, &diags),
		     0);
	config_diags_clear(&diags);
	struct config_vm *c = &cfg->vms[0];
	struct vm *old = vm_create(c);
	/* The new binding: unbound, and plane 2 now an fb: source. */
	free(c->sources[2]);
	c->sources[2] = strdup("fb:/run/vm1/plane2");
	struct vm *new = vm_create(c);
	CHECK(old && new);
	struct source *client0 = old->sources[0], *fb1 = old->sources[1],
		      *client2 = old->sources[2];
	vm_take_client_sources(new, old);
	CHECK(new->sources[0] == client0);
	CHECK(old->sources[0] == NULL);
	CHECK(new->sources[1] != fb1 && old->sources[1] == fb1);
	CHECK(new->sources[2] != client2 && old->sources[2] == client2);
	vm_destroy(old);
	vm_destroy(new);
	config_free(cfg);
}

static const struct test_case cases[] = {
	{ "error_origin", error_origin },
	{ "rebinding_keeps_the_client_source", rebinding_keeps_the_client_source },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
