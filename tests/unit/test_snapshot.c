/* SPDX-License-Identifier: MIT */
/* kms/snapshot.c: keeping a snapshot current after the daemon's own
 * commits, without reading the card again. */
#include "check.h"
#include "kms-fixture.h"
#include "kms/snapshot.h"

static void crtc_off_frees_connector_and_planes(void)
{
	struct fixture fx;
	fx_virtio(&fx);
	struct kms_snapshot *s = &fx.snap;
	/* CRTC 40 drives connector 100 with its primary and cursor; CRTC 41
	 * drives connector 101. */
	s->crtcs[0].active = s->crtcs[0].mode_valid = true;
	s->crtcs[1].active = s->crtcs[1].mode_valid = true;
	s->connectors[0].crtc_id = s->crtcs[0].id;
	s->connectors[1].crtc_id = s->crtcs[1].id;
	for (size_t i = 0; i < s->n_planes; i++) {
		bool on0 = s->planes[i].possible_crtcs == 1u;
		s->planes[i].crtc_id = on0 ? s->crtcs[0].id : s->crtcs[1].id;
		s->planes[i].fb_id = 7;
	}
	kms_snapshot_crtc_off(s, s->crtcs[0].id);
	CHECK(!s->crtcs[0].active && !s->crtcs[0].mode_valid);
	CHECK(s->crtcs[1].active && s->crtcs[1].mode_valid);
	CHECK_EQ_INT(s->connectors[0].crtc_id, 0);
	CHECK_EQ_INT(s->connectors[1].crtc_id, s->crtcs[1].id);
	size_t off = 0;
	for (size_t i = 0; i < s->n_planes; i++) {
		if (s->planes[i].possible_crtcs == 1u) {
			CHECK_EQ_INT(s->planes[i].crtc_id, 0);
			CHECK_EQ_INT(s->planes[i].fb_id, 0);
			off++;
		} else {
			CHECK_EQ_INT(s->planes[i].crtc_id, s->crtcs[1].id);
			CHECK_EQ_INT(s->planes[i].fb_id, 7);
		}
	}
	CHECK_EQ_INT(off, 2);
	/* No such CRTC, or none: nothing changes. */
	kms_snapshot_crtc_off(s, 0);
	kms_snapshot_crtc_off(s, 9999);
	kms_snapshot_crtc_off(NULL, s->crtcs[1].id);
	CHECK_EQ_INT(s->connectors[1].crtc_id, s->crtcs[1].id);
}

static const struct test_case cases[] = {
	{ "crtc_off_frees_connector_and_planes", crtc_off_frees_connector_and_planes },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
