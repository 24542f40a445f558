/* SPDX-License-Identifier: MIT */
/*
 * Hardware allocation for one binding: connector + N vGPU planes ->
 * one CRTC, its primary plane (vGPU plane 0), N-1 overlays and the cursor.
 *
 * 1. Candidate CRTCs are the connector's encoders' possible_crtcs minus
 *    busy ones. The CRTC already driving the connector is tried first
 *    (no needless reshuffle), then by index.
 * 2. For a CRTC, exactly one free primary plane that can sit on it is
 *    claimed, preferring a plane tied to that CRTC alone: legacy lessees
 *    need the primary, and a driver offering several candidates must not
 *    lose two to one lease.
 * 3. Overlays for vGPU planes 1..N-1 are found by depth-first search so
 *    that per-plane formats are honoured even where greedy choice fails.
 *    Candidates are ordered by how few CRTCs they can serve (keep shared
 *    planes for others), then zpos, then id, so stacking follows vGPU
 *    plane order on cards with immutable zpos.
 * 4. A free cursor plane for the CRTC is added when one exists; it is not
 *    required.
 * The first CRTC that satisfies 2 and 3 wins.
 */
#include "kms/alloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct search {
	const struct kms_snapshot *snap;
	const struct kms_alloc_request *req;
	uint32_t crtc_bit;
	const struct kms_plane **candidates;
	size_t n_candidates;
	bool *taken;
	uint32_t *chosen;
};

static bool plane_busy(const struct kms_alloc_request *req, uint32_t id)
{
	for (size_t i = 0; i < req->n_busy_planes; i++)
		if (req->busy_planes[i] == id)
			return true;
	return false;
}

static bool format_ok(const struct kms_plane *p, uint32_t format)
{
	return format == 0 || kms_plane_supports_format(p, format);
}

static int popcount32(uint32_t v)
{
	int n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Lower is better: exclusive planes first, then zpos, then id. */
static int plane_cmp(const void *a, const void *b)
{
	const struct kms_plane *x = *(const struct kms_plane *const *)a;
	const struct kms_plane *y = *(const struct kms_plane *const *)b;
	int px = popcount32(x->possible_crtcs), py = popcount32(y->possible_crtcs);
	if (px != py)
		return px < py ? -1 : 1;
	uint64_t zx = x->has_zpos ? x->zpos : 0, zy = y->has_zpos ? y->zpos : 0;
	if (zx != zy)
		return zx < zy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct kms_plane *pick_single(const struct search *s, enum kms_plane_type type)
{
	const struct kms_plane *best = NULL;
	for (size_t i = 0; i < s->snap->n_planes; i++) {
		const struct kms_plane *p = &s->snap->planes[i];
		if (p->type != type || !(p->possible_crtcs & s->crtc_bit) || plane_busy(s->req, p->id))
			continue;
		if (!best || plane_cmp(&p, &best) < 0)
			best = p;
	}
	return best;
}

static bool place_overlays(struct search *s, size_t vplane)
{
	if (vplane == s->req->n_planes)
		return true;
	for (size_t i = 0; i < s->n_candidates; i++) {
		if (s->taken[i] || !format_ok(s->candidates[i], s->req->formats[vplane]))
			continue;
		s->taken[i] = true;
		s->chosen[vplane] = s->candidates[i]->id;
		if (place_overlays(s, vplane + 1))
			return true;
		s->taken[i] = false;
	}
	return false;
}

static enum kms_alloc_status try_crtc(struct search *s, size_t crtc_index,
				      struct kms_alloc_result *res)
{
	const struct kms_plane *primary = pick_single(s, KMS_PLANE_PRIMARY);
	if (!primary)
		return KMS_ALLOC_NO_PRIMARY;
	if (!format_ok(primary, s->req->formats[0]))
		return KMS_ALLOC_PRIMARY_FORMAT;

	s->n_candidates = 0;
	for (size_t i = 0; i < s->snap->n_planes; i++) {
		const struct kms_plane *p = &s->snap->planes[i];
		if (p->type == KMS_PLANE_OVERLAY && (p->possible_crtcs & s->crtc_bit) &&
		    !plane_busy(s->req, p->id))
			s->candidates[s->n_candidates++] = p;
	}
	qsort(s->candidates, s->n_candidates, sizeof(*s->candidates), plane_cmp);
	memset(s->taken, 0, s->snap->n_planes * sizeof(*s->taken));

	uint32_t chosen[KMS_ALLOC_MAX_PLANES] = { primary->id };
	s->chosen = chosen;
	if (!place_overlays(s, 1))
		return KMS_ALLOC_NO_OVERLAYS;

	const struct kms_plane *cursor = pick_single(s, KMS_PLANE_CURSOR);
	*res = (struct kms_alloc_result){
		.crtc_id = s->snap->crtcs[crtc_index].id,
		.crtc_index = crtc_index,
		.cursor_plane_id = cursor ? cursor->id : 0,
		.n_planes = s->req->n_planes,
	};
	memcpy(res->planes, chosen, sizeof(chosen));
	return KMS_ALLOC_OK;
}

enum kms_alloc_status kms_alloc(const struct kms_snapshot *snap,
				const struct kms_alloc_request *req,
				struct kms_alloc_result *out)
{
	if (req->n_planes < 1 || req->n_planes > KMS_ALLOC_MAX_PLANES)
		return KMS_ALLOC_BAD_REQUEST;

	const struct kms_connector *conn = NULL;
	for (size_t i = 0; i < snap->n_connectors; i++)
		if (snap->connectors[i].id == req->connector_id)
			conn = &snap->connectors[i];
	if (!conn)
		return KMS_ALLOC_NO_CONNECTOR;

	size_t n_crtcs = snap->n_crtcs < 32 ? snap->n_crtcs : 32;
	size_t order[32], n_order = 0;
	size_t current;
	if (conn->crtc_id && kms_snapshot_crtc_by_id(snap, conn->crtc_id, &current) && current < 32)
		order[n_order++] = current;
	for (size_t i = 0; i < n_crtcs; i++)
		if (n_order == 0 || order[0] != i)
			order[n_order++] = i;

	const struct kms_plane **candidates = calloc(snap->n_planes + 1, sizeof(*candidates));
	bool *taken = calloc(snap->n_planes + 1, sizeof(*taken));
	if (!candidates || !taken) {
		free(candidates);
		free(taken);
		return KMS_ALLOC_NO_MEMORY;
	}
	struct search s = { .snap = snap, .req = req, .candidates = candidates, .taken = taken };

	/* Report the most specific failure seen over all usable CRTCs. */
	enum kms_alloc_status worst = KMS_ALLOC_NO_CRTC;
	for (size_t k = 0; k < n_order; k++) {
		uint32_t bit = 1u << order[k];
		if (!(conn->possible_crtcs & bit) || (req->busy_crtcs & bit))
			continue;
		s.crtc_bit = bit;
		struct kms_alloc_result res;
		enum kms_alloc_status st = try_crtc(&s, order[k], &res);
		if (st == KMS_ALLOC_OK) {
			*out = res;
			worst = KMS_ALLOC_OK;
			break;
		}
		if (st > worst || worst == KMS_ALLOC_NO_CRTC)
			worst = st;
	}
	free(candidates);
	free(taken);
	return worst;
}

static int overlay_id_cmp(const void *a, const void *b, void *snap)
{
	const struct kms_plane *x = kms_snapshot_plane_by_id(snap, *(const uint32_t *)a);
	const struct kms_plane *y = kms_snapshot_plane_by_id(snap, *(const uint32_t *)b);
	if (!x || !y)
		return !x - !y;
	return plane_cmp(&x, &y);
}

void kms_alloc_sort_overlays(const struct kms_snapshot *snap, uint32_t *ids, size_t n)
{
	qsort_r(ids, n, sizeof(*ids), overlay_id_cmp, (void *)snap);
}

const char *kms_alloc_status_str(enum kms_alloc_status status)
{
	switch (status) {
	case KMS_ALLOC_OK:
		return "ok";
	case KMS_ALLOC_BAD_REQUEST:
		return "plane count out of range";
	case KMS_ALLOC_NO_CONNECTOR:
		return "connector not on this card";
	case KMS_ALLOC_NO_CRTC:
		return "no free CRTC can drive this connector";
	case KMS_ALLOC_NO_PRIMARY:
		return "no free primary plane for the CRTC";
	case KMS_ALLOC_PRIMARY_FORMAT:
		return "primary plane does not support the source format";
	case KMS_ALLOC_NO_OVERLAYS:
		return "not enough free overlay planes with the needed formats";
	case KMS_ALLOC_NO_MEMORY:
		return "out of memory";
	}
	return "unknown";
}
