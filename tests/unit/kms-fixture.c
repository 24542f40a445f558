/* SPDX-License-Identifier: MIT */
#include "kms-fixture.h"

#include <stdio.h>
#include <string.h>

const uint32_t fmt_xr24 = DRM_FORMAT_XRGB8888;
const uint32_t fmt_ar24 = DRM_FORMAT_ARGB8888;
const uint32_t fmt_nv12 = DRM_FORMAT_NV12;

void fx_init(struct fixture *fx, size_t n_crtcs)
{
	memset(fx, 0, sizeof(*fx));
	fx->snap.crtcs = fx->crtcs;
	fx->snap.connectors = fx->conns;
	fx->snap.planes = fx->planes;
	for (size_t i = 0; i < n_crtcs; i++)
		fx->crtcs[i].id = (uint32_t)(40 + i);
	fx->snap.n_crtcs = n_crtcs;
}

uint32_t fx_connector(struct fixture *fx, const char *name, uint32_t possible)
{
	struct kms_connector *c = &fx->conns[fx->snap.n_connectors];
	c->id = (uint32_t)(100 + fx->snap.n_connectors);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->connection = KMS_CONNECTED;
	c->possible_crtcs = possible;
	fx->snap.n_connectors++;
	return c->id;
}

uint32_t fx_plane(struct fixture *fx, enum kms_plane_type type, uint32_t possible, uint64_t zpos,
		  uint32_t f0, uint32_t f1)
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

void fx_virtio(struct fixture *fx)
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

void fx_intel(struct fixture *fx)
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
