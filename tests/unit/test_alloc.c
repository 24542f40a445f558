/* SPDX-License-Identifier: MIT */
#include <drm_fourcc.h>

#include "check.h"
#include "kms-fixture.h"
#include "kms/alloc.h"

static struct kms_alloc_request req_for(uint32_t conn, size_t n)
{
	struct kms_alloc_request r = { .connector_id = conn, .n_planes = n };
	return r;
}

static void virtio_each_connector_gets_own_crtc(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	for (size_t i = 0; i < 3; i++) {
		struct kms_alloc_request req = req_for(fx.conns[i].id, 1);
		req.formats[0] = fmt_xr24;
		struct kms_alloc_result res;
		CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
		CHECK_EQ_INT(res.crtc_index, i);
		CHECK_EQ_INT(res.crtc_id, fx.crtcs[i].id);
		CHECK_EQ_INT(res.planes[0], fx.planes[2 * i].id);
		CHECK_EQ_INT(res.cursor_plane_id, fx.planes[2 * i + 1].id);
		CHECK_EQ_INT(res.n_planes, 1);
	}
}

static void virtio_has_no_overlays(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	struct kms_alloc_request req = req_for(fx.conns[1].id, 2);
	struct kms_alloc_result res = { .crtc_id = 12345 };
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_OVERLAYS);
	CHECK_EQ_INT(res.crtc_id, 12345); /* untouched on failure */
}

static void virtio_busy_crtc(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	struct kms_alloc_request req = req_for(fx.conns[2].id, 1);
	req.busy_crtcs = 1u << 2;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_CRTC);
}

static void virtio_busy_primary(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	uint32_t busy[] = { fx.planes[2].id };
	struct kms_alloc_request req = req_for(fx.conns[1].id, 1);
	req.busy_planes = busy;
	req.n_busy_planes = 1;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_PRIMARY);
}

static void virtio_busy_cursor_is_optional(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	uint32_t busy[] = { fx.planes[3].id };
	struct kms_alloc_request req = req_for(fx.conns[1].id, 1);
	req.busy_planes = busy;
	req.n_busy_planes = 1;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.cursor_plane_id, 0);
}

static void virtio_primary_format(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	struct kms_alloc_request req = req_for(fx.conns[0].id, 1);
	req.formats[0] = fmt_nv12;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_PRIMARY_FORMAT);
}

static void intel_four_planes_on_one_pipe(void)
{
	struct fixture fx;
	fx_intel(&fx);
	struct kms_alloc_request req = req_for(fx.conns[1].id, 4);
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.crtc_index, 0);
	CHECK_EQ_INT(res.planes[0], fx.planes[0].id);
	/* Overlays in zpos order, so vGPU plane order is stacking order. */
	CHECK_EQ_INT(res.planes[1], fx.planes[1].id);
	CHECK_EQ_INT(res.planes[2], fx.planes[2].id);
	CHECK_EQ_INT(res.planes[3], fx.planes[3].id);
	CHECK_EQ_INT(res.cursor_plane_id, fx.planes[4].id);
}

static void intel_five_planes_too_many(void)
{
	struct fixture fx;
	fx_intel(&fx);
	struct kms_alloc_request req = req_for(fx.conns[0].id, 5);
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_OVERLAYS);
}

static void intel_skips_busy_pipe_and_planes(void)
{
	struct fixture fx;
	fx_intel(&fx);
	/* Pipe 0 is leased; one overlay of pipe 1 is leased too. */
	uint32_t busy[] = { fx.planes[0].id, fx.planes[1].id, fx.planes[6].id };
	struct kms_alloc_request req = req_for(fx.conns[2].id, 3);
	req.busy_crtcs = 1u << 0;
	req.busy_planes = busy;
	req.n_busy_planes = 3;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.crtc_index, 1);
	CHECK_EQ_INT(res.planes[0], fx.planes[5].id);
	CHECK_EQ_INT(res.planes[1], fx.planes[7].id);
	CHECK_EQ_INT(res.planes[2], fx.planes[8].id);
	for (size_t i = 0; i < res.n_planes; i++)
		for (size_t b = 0; b < 3; b++)
			CHECK(res.planes[i] != busy[b]);
}

static void intel_pipe_with_too_few_overlays_falls_through(void)
{
	struct fixture fx;
	fx_intel(&fx);
	uint32_t busy[] = { fx.planes[1].id };
	struct kms_alloc_request req = req_for(fx.conns[0].id, 4);
	req.busy_planes = busy;
	req.n_busy_planes = 1;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.crtc_index, 1);
}

static void intel_exhaustion(void)
{
	struct fixture fx;
	fx_intel(&fx);
	struct kms_alloc_request req = req_for(fx.conns[3].id, 1);
	req.busy_crtcs = 0x7;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_CRTC);
}

static void intel_prefers_current_crtc(void)
{
	struct fixture fx;
	fx_intel(&fx);
	fx.conns[1].crtc_id = fx.crtcs[2].id;
	struct kms_alloc_request req = req_for(fx.conns[1].id, 1);
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.crtc_index, 2);
}

static void overlay_formats_need_search(void)
{
	/* Greedy by zpos gives the XR24+NV12 overlay to vGPU plane 1 (XR24)
	 * and finds nothing for plane 2 (NV12); the search backtracks. */
	struct fixture fx;
	fx_init(&fx, 1);
	uint32_t conn = fx_connector(&fx, "DP-1", 1);
	fx_plane(&fx, KMS_PLANE_PRIMARY, 1, 0, fmt_xr24, 0);
	uint32_t both = fx_plane(&fx, KMS_PLANE_OVERLAY, 1, 1, fmt_xr24, fmt_nv12);
	uint32_t xr_only = fx_plane(&fx, KMS_PLANE_OVERLAY, 1, 2, fmt_xr24, 0);
	struct kms_alloc_request req = req_for(conn, 3);
	req.formats[1] = fmt_xr24;
	req.formats[2] = fmt_nv12;
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.planes[1], xr_only);
	CHECK_EQ_INT(res.planes[2], both);
}

static void shared_overlays_go_last(void)
{
	/* An overlay usable on every CRTC is kept for others when a
	 * CRTC-exclusive one fits. */
	struct fixture fx;
	fx_init(&fx, 2);
	uint32_t conn = fx_connector(&fx, "DP-1", 0x3);
	fx_plane(&fx, KMS_PLANE_PRIMARY, 1, 0, fmt_xr24, 0);
	fx_plane(&fx, KMS_PLANE_PRIMARY, 2, 0, fmt_xr24, 0);
	fx_plane(&fx, KMS_PLANE_OVERLAY, 0x3, 1, fmt_xr24, 0);
	uint32_t own = fx_plane(&fx, KMS_PLANE_OVERLAY, 0x1, 2, fmt_xr24, 0);
	struct kms_alloc_request req = req_for(conn, 2);
	struct kms_alloc_result res;
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_OK);
	CHECK_EQ_INT(res.planes[1], own);
}

static void bad_requests(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	struct kms_alloc_result res;
	struct kms_alloc_request req = req_for(fx.conns[0].id, 0);
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_BAD_REQUEST);
	req = req_for(fx.conns[0].id, KMS_ALLOC_MAX_PLANES + 1);
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_BAD_REQUEST);
	req = req_for(999, 1);
	CHECK_EQ_INT(kms_alloc(&fx.snap, &req, &res), KMS_ALLOC_NO_CONNECTOR);
	CHECK(strlen(kms_alloc_status_str(KMS_ALLOC_NO_CRTC)) > 0);
}

static const struct test_case cases[] = {
	{ "virtio_each_connector_gets_own_crtc", virtio_each_connector_gets_own_crtc },
	{ "virtio_has_no_overlays", virtio_has_no_overlays },
	{ "virtio_busy_crtc", virtio_busy_crtc },
	{ "virtio_busy_primary", virtio_busy_primary },
	{ "virtio_busy_cursor_is_optional", virtio_busy_cursor_is_optional },
	{ "virtio_primary_format", virtio_primary_format },
	{ "intel_four_planes_on_one_pipe", intel_four_planes_on_one_pipe },
	{ "intel_five_planes_too_many", intel_five_planes_too_many },
	{ "intel_skips_busy_pipe_and_planes", intel_skips_busy_pipe_and_planes },
	{ "intel_pipe_with_too_few_overlays_falls_through", intel_pipe_with_too_few_overlays_falls_through },
	{ "intel_exhaustion", intel_exhaustion },
	{ "intel_prefers_current_crtc", intel_prefers_current_crtc },
	{ "overlay_formats_need_search", overlay_formats_need_search },
	{ "shared_overlays_go_last", shared_overlays_go_last },
	{ "bad_requests", bad_requests },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
