/* SPDX-License-Identifier: MIT */
/* The pass's verdicts (daemon/state/reconcile.c: reconcile_judge), through
 * the directflipd-core library, on a fixture snapshot. */
#include "check.h"
#include "config/config.h"
#include "daemon/state/reconcile.h"
#include "daemon/state/vm.h"
#include "kms-fixture.h"

/* The pass's decisions on a 3-output virtio-gpu snapshot: what it keeps
 * (and re-commits), revokes, leaves waiting, and grants. */
static void decisions(void)
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
	{ "decisions", decisions },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
