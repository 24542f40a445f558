/* SPDX-License-Identifier: MIT */
/* The event bus (daemon/state/events.c), through the directflipd-core
 * library: its sinks, and the scan that diffs monitors and errors. */
#include <errno.h>

#include "check.h"
#include "config/config.h"
#include "daemon/state/events.h"
#include "daemon/state/vm.h"
#include "kms-fixture.h"

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

static void diffing(void)
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

static void sinks(void)
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

static const struct test_case cases[] = {
	{ "diffing", diffing },
	{ "sinks", sinks },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
