/* SPDX-License-Identifier: MIT */
/* The daemon's core, through the directflipd-core library: the ownership
 * policy, source specs, and the event bus with its diffing. */
#include <errno.h>

#include "check.h"
#include "config/config.h"
#include "daemon/control/auth.h"
#include "daemon/source/source.h"
#include "daemon/state/events.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/vm.h"
#include "kms-fixture.h"

static void auth_policy(void)
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

static void source_specs(void)
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

/* A sink that records what it saw. */
struct seen {
	size_t n;
	enum df_event type[16];
	char vm[16][32];
	char monitor[16][32];
	char detail[16][256];
};

static void record(void *data, const struct event *e)
{
	struct seen *s = data;
	CHECK(s->n < 16);
	s->type[s->n] = e->type;
	snprintf(s->vm[s->n], sizeof(s->vm[0]), "%s", e->vm ? e->vm : "-");
	snprintf(s->monitor[s->n], sizeof(s->monitor[0]), "%s", e->monitor ? e->monitor : "-");
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", e->detail ? e->detail : "-");
	s->n++;
}

static void event_diffing(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	fx.conns[1].connection = KMS_DISCONNECTED;
	struct config_vm cv = { .name = "vm1", .monitor = "left" };
	struct vm vm = { .name = "vm1", .cfg = &cv, .state = VM_WAITING };
	struct vm *vms[] = { &vm };
	struct events *ev = events_create();
	CHECK(ev);
	struct seen seen = { 0 };
	CHECK_EQ_INT(events_add_sink(ev, record, &seen), 0);

	/* The first scan only records what is there. */
	events_scan(ev, &fx.snap, vms, 1);
	CHECK_EQ_INT(seen.n, 0);

	fx.conns[1].connection = KMS_CONNECTED;
	fx.conns[0].connection = KMS_DISCONNECTED;
	events_scan(ev, &fx.snap, vms, 1);
	CHECK_EQ_INT(seen.n, 2);
	CHECK_EQ_INT(seen.type[0], DF_EVENT_MONITOR_ADDED);
	CHECK_EQ_STR(seen.monitor[0], "Virtual-2");
	CHECK_EQ_INT(seen.type[1], DF_EVENT_MONITOR_REMOVED);
	CHECK_EQ_STR(seen.monitor[1], "Virtual-1");

	/* Nothing changed: nothing said. */
	events_scan(ev, &fx.snap, vms, 1);
	CHECK_EQ_INT(seen.n, 2);

	/* A vm that newly fails: one error; the same error again: none; another: one. */
	vm.state = VM_FAILED;
	snprintf(vm.error, sizeof(vm.error), "connector Virtual-1 offers no modes");
	events_scan(ev, &fx.snap, vms, 1);
	events_scan(ev, &fx.snap, vms, 1);
	CHECK_EQ_INT(seen.n, 3);
	CHECK_EQ_INT(seen.type[2], DF_EVENT_ERROR);
	CHECK_EQ_STR(seen.vm[2], "vm1");
	CHECK_EQ_STR(seen.monitor[2], "left");
	CHECK_EQ_STR(seen.detail[2], "connector Virtual-1 offers no modes");
	snprintf(vm.error, sizeof(vm.error), "monitor left is shown by vm vm2");
	events_scan(ev, &fx.snap, vms, 1);
	CHECK_EQ_INT(seen.n, 4);
	CHECK_EQ_STR(seen.detail[3], "monitor left is shown by vm vm2");

	/* No card: every monitor is gone. */
	events_scan(ev, NULL, vms, 1);
	CHECK_EQ_INT(seen.n, 6);
	CHECK_EQ_INT(seen.type[4], DF_EVENT_MONITOR_REMOVED);
	CHECK_EQ_STR(seen.monitor[4], "Virtual-2");
	CHECK_EQ_INT(seen.type[5], DF_EVENT_MONITOR_REMOVED);
	CHECK_EQ_STR(seen.monitor[5], "Virtual-3");
	events_destroy(ev);
}

static void event_sinks(void)
{
	/* No bus, or no sink: emitting is a no-op. */
	events_emit(NULL, DF_EVENT_LEASE_GRANTED, "vm1", "left", "Virtual-1");
	struct events *ev = events_create();
	CHECK(ev);
	events_emit(ev, DF_EVENT_LEASE_GRANTED, "vm1", "left", "Virtual-1");

	struct seen a = { 0 }, b = { 0 };
	CHECK_EQ_INT(events_add_sink(ev, record, &a), 0);
	CHECK_EQ_INT(events_add_sink(ev, record, &b), 0);
	events_emit(ev, DF_EVENT_LEASE_REVOKED, "vm1", NULL, "monitor gone or unbound");
	events_emit_focus(ev, "seat0", NULL, "vm1");
	CHECK_EQ_INT(a.n, 2);
	CHECK_EQ_INT(b.n, 2);
	CHECK_EQ_INT(a.type[0], DF_EVENT_LEASE_REVOKED);
	CHECK_EQ_STR(a.monitor[0], "-");
	CHECK_EQ_STR(b.detail[0], "monitor gone or unbound");
	CHECK_EQ_INT(a.type[1], DF_EVENT_FOCUS_CHANGED);
	CHECK_EQ_STR(a.vm[1], "-");

	CHECK_EQ_INT(events_add_sink(ev, NULL, NULL), -EINVAL);
	for (size_t i = 2; i < EVENTS_MAX_SINKS; i++)
		CHECK_EQ_INT(events_add_sink(ev, record, &a), 0);
	CHECK_EQ_INT(events_add_sink(ev, record, &a), -ENOSPC);
	events_destroy(ev);
}

/* The pass's decisions on a 3-output virtio-gpu snapshot: what it keeps
 * (and re-commits), revokes, leaves waiting, and grants. */
static void reconcile_decisions(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	fx.conns[2].connection = KMS_DISCONNECTED;  /* Virtual-3 */
	struct config_monitor mons[] = {
		{ .name = "left", .connector = "Virtual-1" },
		{ .name = "right", .connector = "Virtual-2" },
		{ .name = "gone", .connector = "Virtual-3" },
	};
	struct config cfg = { .monitors = mons, .n_monitors = 3 };
	struct config_vm cv[] = {
		{ .name = "a", .monitor = "left" },
		{ .name = "b", .monitor = "left" },
		{ .name = "c", .monitor = "gone" },
		{ .name = "d" },
		{ .name = "e", .monitor = "right" },
		{ .name = "f", .monitor = "nosuch" },
		{ .name = "g", .monitor = "gone" },
	};
	struct vm vm[7];
	struct vm *vms[7];
	for (size_t i = 0; i < 7; i++) {
		vm[i] = (struct vm){ .name = cv[i].name, .cfg = &cv[i], .state = VM_WAITING };
		vms[i] = &vm[i];
	}
	vm[0].state = VM_LEASED;  /* a on Virtual-1: where it belongs */
	vm[0].conn_id = fx.conns[0].id;
	vm[1].state = VM_LEASED;  /* b on Virtual-2, but its monitor is left now */
	vm[1].conn_id = fx.conns[1].id;
	vm[2].state = VM_LEASED;  /* c on Virtual-3, unplugged */
	vm[2].conn_id = fx.conns[2].id;

	struct reconcile_verdict v[7];
	for (size_t i = 0; i < 7; i++)
		v[i] = reconcile_judge(&cfg, &fx.snap, vms, 7, i);
	CHECK_EQ_INT(v[0].action, RECONCILE_KEEP);
	CHECK_EQ_INT(v[1].action, RECONCILE_RELEASE);
	CHECK(v[1].want == &fx.conns[0]);       /* moved: "monitor moved" */
	CHECK_EQ_INT(v[2].action, RECONCILE_RELEASE);
	CHECK(v[2].want == NULL);               /* "monitor gone or unbound" */
	CHECK_EQ_INT(v[3].action, RECONCILE_UNBOUND);
	CHECK_EQ_INT(v[4].action, RECONCILE_SHOWN_ELSEWHERE);
	CHECK(v[4].holder == &vm[1]);
	CHECK_EQ_INT(v[5].action, RECONCILE_NOT_CONNECTED);
	CHECK(v[5].match == NULL);              /* "(no matching connector)" */
	CHECK_EQ_INT(v[6].action, RECONCILE_NOT_CONNECTED);
	CHECK(v[6].match == &fx.conns[2]);      /* "(Virtual-3)" */

	/* After the releases: e gets Virtual-2; b waits, a holds left. */
	vm[1].state = VM_WAITING;
	vm[2].state = VM_WAITING;
	struct reconcile_verdict e = reconcile_judge(&cfg, &fx.snap, vms, 7, 4);
	CHECK_EQ_INT(e.action, RECONCILE_GRANT);
	CHECK(e.want == &fx.conns[1]);
	CHECK(e.mon == &mons[1]);
	struct reconcile_verdict b = reconcile_judge(&cfg, &fx.snap, vms, 7, 1);
	CHECK_EQ_INT(b.action, RECONCILE_SHOWN_ELSEWHERE);
	CHECK(b.holder == &vm[0]);
	/* Virtual-3 comes back: g (waiting) is granted it; c too, until g has it. */
	fx.conns[2].connection = KMS_CONNECTED;
	CHECK_EQ_INT(reconcile_judge(&cfg, &fx.snap, vms, 7, 6).action, RECONCILE_GRANT);
	vm[6].state = VM_LEASED;
	vm[6].conn_id = fx.conns[2].id;
	CHECK_EQ_INT(reconcile_judge(&cfg, &fx.snap, vms, 7, 2).action, RECONCILE_SHOWN_ELSEWHERE);
}

static const struct test_case cases[] = {
	{ "auth_policy", auth_policy },
	{ "source_specs", source_specs },
	{ "event_diffing", event_diffing },
	{ "event_sinks", event_sinks },
	{ "reconcile_decisions", reconcile_decisions },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
