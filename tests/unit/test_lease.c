/* SPDX-License-Identifier: MIT */
/* Taking a lease back after a restart (reconcile's adopt): the fd store
 * entry's name (daemon/state/lease-name.c) and the lease's objects sorted
 * back into vGPU planes (kms_lease_classify). On Intel-like cards with
 * overlays shared between pipes, plane K must map to the same hardware
 * plane as at the grant. */
#include <errno.h>

#include "check.h"
#include "daemon/state/lease-name.h"
#include "kms-fixture.h"
#include "kms/alloc.h"
#include "kms/lease.h"

/* fx_intel, plus two overlays every pipe can use, below the pipes' own in
 * zpos: the allocator takes the pipe's own first, so a 5-plane grant gets
 * a shared overlay after the pipe's three (zpos 1, 2, 3, then 0). */
static void fx_intel_shared(struct fixture *fx, uint32_t shared[2])
{
	fx_intel(fx);
	shared[0] = fx_plane(fx, KMS_PLANE_OVERLAY, 0x7, 0, fmt_xr24, fmt_nv12);
	shared[1] = fx_plane(fx, KMS_PLANE_OVERLAY, 0x7, 0, fmt_xr24, 0);
}

/* Grant on conn, store its name, take it back from the lease's objects
 * (given to classify in reverse, as the kernel's order is not ours). */
static void roundtrip(const struct fixture *fx, const struct kms_alloc_request *req,
		      struct kms_alloc_result *grant, struct kms_alloc_result *adopted)
{
	CHECK_EQ_INT(kms_alloc(&fx->snap, req, grant), KMS_ALLOC_OK);
	uint32_t objects[KMS_LEASE_MAX_OBJECTS], reversed[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(req->connector_id, grant, objects);
	for (size_t i = 0; i < n; i++)
		reversed[i] = objects[n - 1 - i];

	char name[LEASE_NAME_MAX];
	CHECK_EQ_INT(lease_name_format("desk", 77, grant, name), 0);
	struct lease_name ln;
	CHECK_EQ_INT(lease_name_parse(name, &ln), 0);
	CHECK_EQ_INT(ln.lessee, 77);
	CHECK_EQ_INT(ln.vm_len, 4);
	CHECK(strncmp(ln.vm, "desk", 4) == 0);

	uint32_t conn = 0;
	CHECK_EQ_INT(kms_lease_classify(&fx->snap, reversed, n, ln.overlays, ln.n_overlays, &conn,
					adopted), 0);
	CHECK_EQ_INT(conn, req->connector_id);
}

static void same_mapping(const struct kms_alloc_result *a, const struct kms_alloc_result *b)
{
	CHECK_EQ_INT(b->crtc_id, a->crtc_id);
	CHECK_EQ_INT(b->crtc_index, a->crtc_index);
	CHECK_EQ_INT(b->cursor_plane_id, a->cursor_plane_id);
	CHECK_EQ_INT(b->n_planes, a->n_planes);
	for (size_t k = 0; k < a->n_planes; k++)
		CHECK_EQ_INT(b->planes[k], a->planes[k]);
}

static void intel_shared_overlays_keep_their_order(void)
{
	struct fixture fx;
	uint32_t shared[2];
	fx_intel_shared(&fx, shared);
	struct kms_alloc_request req = { .connector_id = fx.conns[1].id, .n_planes = 5 };
	struct kms_alloc_result grant, adopted;
	roundtrip(&fx, &req, &grant, &adopted);
	/* The case the old guess (zpos, then id) got wrong: a shared overlay
	 * sits below the exclusive ones in zpos but comes last in the grant. */
	CHECK_EQ_INT(grant.planes[4], shared[0]);
	CHECK(kms_snapshot_plane_by_id(&fx.snap, grant.planes[4])->zpos <
	      kms_snapshot_plane_by_id(&fx.snap, grant.planes[1])->zpos);
	same_mapping(&grant, &adopted);
}

static void format_search_order_is_kept(void)
{
	/* vGPU plane 1 shows NV12: the search gives it the shared overlay
	 * that can, and plane 2 an exclusive one. No preference order can
	 * find that again; the stored order does. */
	struct fixture fx;
	fx_init(&fx, 2);
	uint32_t conn = fx_connector(&fx, "DP-1", 0x3);
	fx_plane(&fx, KMS_PLANE_PRIMARY, 0x1, 0, fmt_xr24, 0);
	fx_plane(&fx, KMS_PLANE_PRIMARY, 0x2, 0, fmt_xr24, 0);
	uint32_t own = fx_plane(&fx, KMS_PLANE_OVERLAY, 0x1, 1, fmt_xr24, 0);
	uint32_t nv12 = fx_plane(&fx, KMS_PLANE_OVERLAY, 0x3, 2, fmt_xr24, fmt_nv12);
	struct kms_alloc_request req = { .connector_id = conn, .n_planes = 3 };
	req.formats[1] = fmt_nv12;
	struct kms_alloc_result grant, adopted;
	roundtrip(&fx, &req, &grant, &adopted);
	CHECK_EQ_INT(grant.planes[1], nv12);
	CHECK_EQ_INT(grant.planes[2], own);
	same_mapping(&grant, &adopted);

	/* Without the stored order (an entry from an older daemon), the
	 * allocator's preference is the best guess, and here it is wrong. */
	uint32_t objects[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(conn, &grant, objects);
	uint32_t got_conn;
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects, n, NULL, 0, &got_conn, &adopted), 0);
	CHECK_EQ_INT(adopted.planes[1], own);
}

static void without_order_takes_the_allocators_preference(void)
{
	struct fixture fx;
	uint32_t shared[2];
	fx_intel_shared(&fx, shared);
	struct kms_alloc_request req = { .connector_id = fx.conns[0].id, .n_planes = 5 };
	struct kms_alloc_result grant, adopted;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &grant), KMS_ALLOC_OK);
	uint32_t objects[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(req.connector_id, &grant, objects);
	uint32_t conn;
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects, n, NULL, 0, &conn, &adopted), 0);
	same_mapping(&grant, &adopted);
}

static void stored_order_must_match_the_lease(void)
{
	struct fixture fx;
	uint32_t shared[2];
	fx_intel_shared(&fx, shared);
	struct kms_alloc_request req = { .connector_id = fx.conns[0].id, .n_planes = 3 };
	struct kms_alloc_result grant, out;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &grant), KMS_ALLOC_OK);
	uint32_t objects[KMS_LEASE_MAX_OBJECTS];
	size_t n = kms_lease_objects(req.connector_id, &grant, objects);
	uint32_t conn;
	uint32_t other[2] = { grant.planes[1], shared[1] };
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects, n, other, 2, &conn, &out), -EINVAL);
	uint32_t twice[2] = { grant.planes[1], grant.planes[1] };
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects, n, twice, 2, &conn, &out), -EINVAL);
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects, n, &grant.planes[1], 1, &conn, &out),
		     -EINVAL);
	/* An object the card does not have, or no connector: no lease of ours. */
	uint32_t bad[KMS_LEASE_MAX_OBJECTS];
	memcpy(bad, objects, n * sizeof(*bad));
	bad[n] = 9999;
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, bad, n + 1, NULL, 0, &conn, &out), -EINVAL);
	CHECK_EQ_INT(kms_lease_classify(&fx.snap, objects + 1, n - 1, NULL, 0, &conn, &out),
		     -EINVAL);
}

static void names(void)
{
	struct lease_name ln;
	/* Without overlays the name is what older daemons wrote. */
	struct kms_alloc_result one = { .n_planes = 1, .planes = { 201 } };
	char name[LEASE_NAME_MAX];
	CHECK_EQ_INT(lease_name_format("vm1", 42, &one, name), 0);
	CHECK_EQ_STR(name, "lease.vm1.42");
	CHECK_EQ_INT(lease_name_parse(name, &ln), 0);
	CHECK_EQ_INT(ln.lessee, 42);
	CHECK_EQ_INT(ln.n_overlays, 0);

	struct kms_alloc_result three = { .n_planes = 3, .planes = { 201, 215, 203 } };
	CHECK_EQ_INT(lease_name_format("a.b", 7, &three, name), 0);
	CHECK_EQ_STR(name, "lease.a.b.7.o215,203");
	CHECK_EQ_INT(lease_name_parse(name, &ln), 0);
	CHECK_EQ_INT(ln.vm_len, 3);
	CHECK_EQ_INT(ln.lessee, 7);
	CHECK_EQ_INT(ln.n_overlays, 2);
	CHECK_EQ_INT(ln.overlays[0], 215);
	CHECK_EQ_INT(ln.overlays[1], 203);

	/* A VM name that looks like an order field is still a VM name. */
	CHECK_EQ_INT(lease_name_parse("lease.x.o5.9", &ln), 0);
	CHECK_EQ_INT(ln.vm_len, 4);
	CHECK_EQ_INT(ln.lessee, 9);
	CHECK_EQ_INT(ln.n_overlays, 0);

	const char *bad[] = { "card", "lease.", "lease.vm", "lease..4", "lease.vm.0", "lease.vm.x",
			      "lease.vm.4.o", "lease.vm.4.o1,,2", "lease.vm.4.o,1", "lease.vm.4.o1,",
			      "lease.vm.o1", "lease.vm.4.o1,2,3,4,5,6,7,8", "other.vm.4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (lease_name_parse(bad[i], &ln) != -EINVAL) {
			fprintf(stderr, "accepted %s\n", bad[i]);
			CHECK(false);
		}
	}

	char longname[300];
	memset(longname, 'v', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_EQ_INT(lease_name_format(longname, 1, &three, name), -ENAMETOOLONG);
}

static const struct test_case cases[] = {
	{ "intel_shared_overlays_keep_their_order", intel_shared_overlays_keep_their_order },
	{ "format_search_order_is_kept", format_search_order_is_kept },
	{ "without_order_takes_the_allocators_preference",
	  without_order_takes_the_allocators_preference },
	{ "stored_order_must_match_the_lease", stored_order_must_match_the_lease },
	{ "names", names },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
