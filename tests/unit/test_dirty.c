/* SPDX-License-Identifier: MIT */
/* Which vms a reconcile pass looks at (daemon/state/dirty.c): a pass costs
 * what changed, not the number of vms. */
#include "check.h"
#include "daemon/state/dirty.h"

#define N_VMS 15

/* 15 vms, all leased and clean, their sources signalling: a steady card. */
static void steady(struct dirty_vm vms[N_VMS])
{
	for (size_t i = 0; i < N_VMS; i++)
		vms[i] = (struct dirty_vm){ .leased = true };
}

static size_t touched(const struct dirty_pass *pass, const struct dirty_vm vms[N_VMS],
		      unsigned what)
{
	size_t n = 0;
	for (size_t i = 0; i < N_VMS; i++)
		n += (dirty_scope(pass, &vms[i]) & what) != 0;
	return n;
}

static void full_pass_looks_at_every_vm(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[3].leased = false;
	const struct dirty_pass full = { .full = true };
	CHECK_EQ_INT(touched(&full, vms, DIRTY_JUDGE), N_VMS);
	CHECK_EQ_INT(touched(&full, vms, DIRTY_SOURCES), N_VMS);
	CHECK_EQ_INT(touched(&full, vms, DIRTY_COLLECT), 0);
}

/* unbind + bind: the vm is made anew (dirty) and its lease ended. */
static void bind_looks_at_that_vm_only(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[0] = (struct dirty_vm){ .dirty = true };
	const struct dirty_pass pass = { .lease_ended = true };
	CHECK_EQ_INT(dirty_scope(&pass, &vms[0]), DIRTY_JUDGE | DIRTY_SOURCES);
	CHECK_EQ_INT(touched(&pass, vms, ~0u), 1);
}

static void source_news_reads_that_vm_only(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[7].dirty = true;
	const struct dirty_pass pass = { 0 };
	CHECK_EQ_INT(touched(&pass, vms, DIRTY_SOURCES), 1);
	CHECK(dirty_scope(&pass, &vms[7]) & DIRTY_SOURCES);
	CHECK_EQ_INT(touched(&pass, vms, ~0u), 1);
}

/* A LEASE=1 uevent (our own grant or revoke) with nothing dirty. */
static void lease_event_alone_looks_at_nothing(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	const struct dirty_pass pass = { 0 };
	CHECK_EQ_INT(touched(&pass, vms, ~0u), 0);
}

/* A lease that ended frees a connector, a CRTC, planes: the vms waiting
 * (failed, waiting, unbound) may take them; the leased ones are not asked. */
static void ended_lease_wakes_the_vms_waiting(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[2].leased = false;
	vms[9].leased = false;
	const struct dirty_pass ended = { .lease_ended = true };
	CHECK_EQ_INT(touched(&ended, vms, DIRTY_JUDGE), 2);
	CHECK_EQ_INT(touched(&ended, vms, DIRTY_SOURCES), 0);
	const struct dirty_pass quiet = { 0 };
	CHECK_EQ_INT(touched(&quiet, vms, ~0u), 0);
}

/* A hotplug re-read the connectors: every vm is judged again (a monitor
 * went or came), but no source is read for it. */
static void hotplug_judges_all_reads_no_source(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[4].leased = false;
	const struct dirty_pass pass = { .connectors_read = true };
	CHECK_EQ_INT(touched(&pass, vms, DIRTY_JUDGE), N_VMS);
	CHECK_EQ_INT(touched(&pass, vms, DIRTY_SOURCES), 0);
}

/* A source that reports nothing (a vfio device without poll) is read on
 * every pass, as before dirty tracking; a vm without a lease reads none. */
static void unsignalled_sources_are_read_every_pass(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[5].unsignalled = true;
	vms[6] = (struct dirty_vm){ .unsignalled = true };
	const struct dirty_pass pass = { 0 };
	CHECK_EQ_INT(dirty_scope(&pass, &vms[5]), DIRTY_SOURCES);
	CHECK_EQ_INT(dirty_scope(&pass, &vms[6]), 0);
	CHECK_EQ_INT(touched(&pass, vms, ~0u), 1);
}

static void takeover_frame_is_collected(void)
{
	struct dirty_vm vms[N_VMS];
	steady(vms);
	vms[1].takeover_shown = true;
	const struct dirty_pass pass = { 0 };
	CHECK_EQ_INT(dirty_scope(&pass, &vms[1]), DIRTY_COLLECT);
	CHECK_EQ_INT(touched(&pass, vms, ~0u), 1);
	vms[1].dirty = true;
	CHECK_EQ_INT(dirty_scope(&pass, &vms[1]), DIRTY_COLLECT | DIRTY_JUDGE | DIRTY_SOURCES);
}

static const struct test_case cases[] = {
	{ "full_pass_looks_at_every_vm", full_pass_looks_at_every_vm },
	{ "bind_looks_at_that_vm_only", bind_looks_at_that_vm_only },
	{ "source_news_reads_that_vm_only", source_news_reads_that_vm_only },
	{ "lease_event_alone_looks_at_nothing", lease_event_alone_looks_at_nothing },
	{ "ended_lease_wakes_the_vms_waiting", ended_lease_wakes_the_vms_waiting },
	{ "hotplug_judges_all_reads_no_source", hotplug_judges_all_reads_no_source },
	{ "unsignalled_sources_are_read_every_pass", unsignalled_sources_are_read_every_pass },
	{ "takeover_frame_is_collected", takeover_frame_is_collected },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
