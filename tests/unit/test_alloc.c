/* SPDX-License-Identifier: MIT */
#include <drm_fourcc.h>

#include "check.h"
#include "kms/alloc.h"

/* Fixture builder: planes are described by type, CRTC mask, zpos, formats. */
struct fixture {
	struct kms_snapshot snap;
	struct kms_crtc crtcs[8];
	struct kms_connector conns[8];
	struct kms_plane planes[32];
	uint32_t formats[32][4];
};

static const uint32_t fmt_xr24 = DRM_FORMAT_XRGB8888;
static const uint32_t fmt_ar24 = DRM_FORMAT_ARGB8888;
static const uint32_t fmt_nv12 = DRM_FORMAT_NV12;

static void fx_init(struct fixture *fx, size_t n_crtcs)
{
	memset(fx, 0, sizeof(*fx));
	fx->snap.crtcs = fx->crtcs;
	fx->snap.connectors = fx->conns;
	fx->snap.planes = fx->planes;
	for (size_t i = 0; i < n_crtcs; i++)
		fx->crtcs[i].id = (uint32_t)(40 + i);
	fx->snap.n_crtcs = n_crtcs;
}

static uint32_t fx_connector(struct fixture *fx, const char *name, uint32_t possible)
{
	struct kms_connector *c = &fx->conns[fx->snap.n_connectors];
	c->id = (uint32_t)(100 + fx->snap.n_connectors);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->connection = KMS_CONNECTED;
	c->possible_crtcs = possible;
	fx->snap.n_connectors++;
	return c->id;
}

static uint32_t fx_plane(struct fixture *fx, enum kms_plane_type type, uint32_t possible,
			 uint64_t zpos, uint32_t f0, uint32_t f1)
{
	size_t i = fx->snap.n_planes++;
	struct kms_plane *p = &fx->planes[i];
	p->id = (uint32_t)(200 + i);
	p->type = type;
	p->possible_crtcs = possible;
	p->has_zpos = true;
	p->zpos = zpos;
	fx->formats[i][0] = f0;
	p->n_formats = 1;
	if (f1) {
		fx->formats[i][1] = f1;
		p->n_formats = 2;
	}
	p->formats = fx->formats[i];
	return p->id;
}

/* virtio-gpu with 3 outputs: per CRTC one primary (XR24) and one cursor (AR24). */
static void fx_virtio(struct fixture *fx)
{
	fx_init(fx, 3);
	for (uint32_t i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "Virtual-%u", i + 1);
		fx_connector(fx, name, 1u << i);
	}
	for (uint32_t i = 0; i < 3; i++) {
		fx_plane(fx, KMS_PLANE_PRIMARY, 1u << i, 0, fmt_xr24, 0);
		fx_plane(fx, KMS_PLANE_CURSOR, 1u << i, 1, fmt_ar24, 0);
	}
}

/* Intel-like: 3 pipes x {primary, 3 overlays, cursor}; every port can use every pipe. */
static void fx_intel(struct fixture *fx)
{
	fx_init(fx, 3);
	fx_connector(fx, "eDP-1", 0x7);
	fx_connector(fx, "HDMI-A-1", 0x7);
	fx_connector(fx, "DP-1", 0x7);
	fx_connector(fx, "DP-2", 0x7);
	for (uint32_t pipe = 0; pipe < 3; pipe++) {
		fx_plane(fx, KMS_PLANE_PRIMARY, 1u << pipe, 0, fmt_xr24, fmt_ar24);
		for (uint64_t k = 0; k < 3; k++)
			fx_plane(fx, KMS_PLANE_OVERLAY, 1u << pipe, 1 + k, fmt_xr24, fmt_nv12);
		fx_plane(fx, KMS_PLANE_CURSOR, 1u << pipe, 7, fmt_ar24, 0);
	}
}

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
