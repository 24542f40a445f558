/* SPDX-License-Identifier: MIT */
/* Runtime bindings (daemon/state/bindings.c): what bind/unbind/map-plane
 * keep in state.json and apply on top of every loaded layout. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"
#include "config/load.h"
#include "daemon/state/bindings.h"

static const char layout[] = "[monitor.left]\n"
			     "connector = Virtual-2\n"
			     "[vm.vm1]\n"
			     "monitor = left\n"
			     "source.0 = fb:/run/vm1/plane0\n"
			     "[vm.vm2]\n";

static struct config *load(void)
{
	struct config_diags diags = { 0 };
	struct config *cfg = NULL;
	int r = config_load_string(layout, "test.ini", &cfg, &diags);
	config_diags_clear(&diags);
	CHECK_EQ_INT(r, 0);
	return cfg;
}

static struct config_vm *vm_of(struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_vms; i++)
		if (strcmp(cfg->vms[i].name, name) == 0)
			return &cfg->vms[i];
	return NULL;
}

static char *temp_path(void)
{
	char tmpl[] = "/tmp/df-state-XXXXXX";
	CHECK(mkdtemp(tmpl) != NULL);
	char *p = malloc(strlen(tmpl) + 16);
	CHECK(p);
	sprintf(p, "%s/state.json", tmpl);
	return p;
}

static void cleanup(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

static void missing_file_is_empty(void)
{
	char *path = temp_path();
	struct control_bindings *b = NULL;
	char err[256] = "";
	CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), 0);
	CHECK_EQ_INT(control_bindings_count(b), 0);
	CHECK_EQ_STR(control_bindings_path(b), path);
	control_bindings_free(b);
	cleanup(path);
}

static void save_and_load_roundtrip(void)
{
	char *path = temp_path();
	struct control_bindings *b = NULL;
	char err[256] = "";
	CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), 0);
	struct control_binding bd = { .vm = "vm2", .has_monitor = true, .monitor = "Virtual-3",
				      .has_planes = true, .planes = 2, .has_mode = true,
				      .mode = { true, 1024, 768, 60 }, .has_scaling = true,
				      .scaling = CONFIG_SCALING_STRETCH };
	bd.sources[1] = "fb:42";
	CHECK_EQ_INT(control_bindings_set(b, &bd), 0);
	struct control_binding un = { .vm = "vm1", .has_monitor = true, .monitor = NULL };
	CHECK_EQ_INT(control_bindings_set(b, &un), 0);
	CHECK_EQ_INT(control_bindings_save(b), 0);
	control_bindings_free(b);

	CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), 0);
	CHECK_EQ_INT(control_bindings_count(b), 2);
	const struct control_binding *g = control_bindings_find(b, "vm2");
	CHECK(g && g->has_monitor && g->has_planes && g->has_mode && g->has_scaling);
	CHECK_EQ_STR(g->monitor, "Virtual-3");
	CHECK_EQ_INT(g->planes, 2);
	CHECK_EQ_INT(g->mode.width, 1024);
	CHECK_EQ_INT(g->mode.refresh, 60);
	CHECK_EQ_INT(g->scaling, CONFIG_SCALING_STRETCH);
	CHECK_EQ_STR(g->sources[1], "fb:42");
	CHECK(g->sources[0] == NULL);
	g = control_bindings_find(b, "vm1");
	CHECK(g && g->has_monitor && g->monitor == NULL && !g->has_planes);
	control_bindings_forget(b, "vm1");
	CHECK(control_bindings_find(b, "vm1") == NULL);
	CHECK_EQ_INT(control_bindings_count(b), 1);
	control_bindings_free(b);
	cleanup(path);
}

static void malformed_file_is_einval(void)
{
	char *path = temp_path();
	static const char *const bad[] = {
		"not json",
		"{\"version\":2,\"vms\":{}}",
		"{\"version\":1,\"vms\":{\"vm1\":{\"planes\":99}}}",
		"{\"version\":1,\"vms\":{\"vm1\":{\"sources\":{\"9\":\"fb:1\"}}}}",
		"{\"version\":1,\"vms\":{\"vm1\":{\"monitor\":7}}}",
		"{\"version\":1,\"vms\":{\"vm1\":{\"scaling\":\"sideways\"}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "we");
		CHECK(f);
		fputs(bad[i], f);
		fclose(f);
		struct control_bindings *b = NULL;
		char err[256] = "";
		CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), -EINVAL);
		CHECK(b == NULL);
		CHECK(strstr(err, path) != NULL);
	}
	cleanup(path);
}

static void apply_changes_the_vm_entry(void)
{
	struct config *cfg = load();
	struct control_binding bd = { .vm = "vm1", .has_planes = true, .planes = 3,
				      .has_scaling = true, .scaling = CONFIG_SCALING_NONE };
	bd.sources[2] = "fb:7";
	CHECK_EQ_INT(control_binding_apply(&bd, cfg, vm_of(cfg, "vm1")), 0);
	struct config_vm *vm = vm_of(cfg, "vm1");
	CHECK_EQ_STR(vm->monitor, "left");       /* untouched: not in the binding */
	CHECK_EQ_INT(vm->planes, 3);
	CHECK_EQ_INT(vm->scaling, CONFIG_SCALING_NONE);
	CHECK_EQ_STR(vm->sources[0], "fb:/run/vm1/plane0");
	CHECK_EQ_STR(vm->sources[2], "fb:7");
	CHECK_EQ_INT(cfg->n_monitors, 1);
	config_free(cfg);
}

static void apply_unbind(void)
{
	struct config *cfg = load();
	struct control_binding bd = { .vm = "vm1", .has_monitor = true, .monitor = NULL };
	CHECK_EQ_INT(control_binding_apply(&bd, cfg, vm_of(cfg, "vm1")), 0);
	CHECK(vm_of(cfg, "vm1")->monitor == NULL);
	config_free(cfg);
}

static void connector_name_gets_a_monitor(void)
{
	struct config *cfg = load();
	struct control_binding bd = { .vm = "vm2", .has_monitor = true, .monitor = "HDMI-A-1" };
	CHECK_EQ_INT(control_binding_apply(&bd, cfg, vm_of(cfg, "vm2")), 0);
	CHECK_EQ_STR(vm_of(cfg, "vm2")->monitor, "HDMI-A-1");
	const struct config_monitor *m = config_monitor_by_name(cfg, "HDMI-A-1");
	CHECK(m != NULL);
	CHECK_EQ_STR(m->connector, "HDMI-A-1");
	CHECK_EQ_INT(cfg->n_monitors, 2);
	/* A second bind to the same connector reuses that entry. */
	CHECK_EQ_INT(control_binding_apply(&bd, cfg, vm_of(cfg, "vm1")), 0);
	CHECK_EQ_INT(cfg->n_monitors, 2);
	config_free(cfg);
}

static void apply_all_counts_missing_vms(void)
{
	char *path = temp_path();
	struct control_bindings *b = NULL;
	char err[256];
	CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), 0);
	struct control_binding gone = { .vm = "vm9", .has_planes = true, .planes = 2 };
	struct control_binding here = { .vm = "vm2", .has_monitor = true, .monitor = "left" };
	CHECK_EQ_INT(control_bindings_set(b, &gone), 0);
	CHECK_EQ_INT(control_bindings_set(b, &here), 0);
	struct config *cfg = load();
	size_t missing = 99;
	CHECK_EQ_INT(control_bindings_apply(b, cfg, &missing), 0);
	CHECK_EQ_INT(missing, 1);
	CHECK_EQ_STR(vm_of(cfg, "vm2")->monitor, "left");
	config_free(cfg);
	control_bindings_free(b);
	cleanup(path);
}

/* The fresh start: a bind names a VM the (empty) layout lacks, and the
 * binding makes it with the defaults; unbound again, it is gone. */
static void bind_makes_a_missing_vm(void)
{
	char *path = temp_path();
	struct control_bindings *b = NULL;
	char err[256];
	CHECK_EQ_INT(control_bindings_load(path, &b, err, sizeof(err)), 0);
	struct control_binding made = { .vm = "vm7", .has_monitor = true, .monitor = "Virtual-2" };
	CHECK_EQ_INT(control_bindings_set(b, &made), 0);
	struct config *cfg = load();
	size_t n_before = cfg->n_vms, missing = 99;
	CHECK_EQ_INT(control_bindings_apply(b, cfg, &missing), 0);
	CHECK_EQ_INT(missing, 0);
	CHECK_EQ_INT(cfg->n_vms, n_before + 1);
	const struct config_vm *vm = vm_of(cfg, "vm7");
	CHECK_EQ_STR(vm->monitor, "Virtual-2");
	CHECK_EQ_INT(vm->planes, 1);
	CHECK_EQ_STR(vm->where.file, CONTROL_BINDINGS_WHERE);
	CHECK(config_monitor_by_name(cfg, "Virtual-2") != NULL);
	config_free(cfg);

	struct control_binding unbound = { .vm = "vm7", .has_monitor = true, .monitor = NULL };
	CHECK_EQ_INT(control_bindings_set(b, &unbound), 0);
	cfg = load();
	CHECK_EQ_INT(control_bindings_apply(b, cfg, &missing), 0);
	CHECK_EQ_INT(missing, 0);
	CHECK_EQ_INT(cfg->n_vms, n_before);
	config_free(cfg);
	control_bindings_free(b);
	cleanup(path);
}

static const struct test_case cases[] = {
	{ "bind_makes_a_missing_vm", bind_makes_a_missing_vm },
	{ "missing_file_is_empty", missing_file_is_empty },
	{ "save_and_load_roundtrip", save_and_load_roundtrip },
	{ "malformed_file_is_einval", malformed_file_is_einval },
	{ "apply_changes_the_vm_entry", apply_changes_the_vm_entry },
	{ "apply_unbind", apply_unbind },
	{ "connector_name_gets_a_monitor", connector_name_gets_a_monitor },
	{ "apply_all_counts_missing_vms", apply_all_counts_missing_vms },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
