/* SPDX-License-Identifier: MIT */
/*
 * Test program: leaves state behind on a lease, or looks for what a
 * previous lessee left. Started through `vgpu-assign exec VM --`:
 *
 *   lessee-leftovers dirty   sets, on the lease's CRTC, every colour
 *                            property it has (GAMMA_LUT: an inverted ramp,
 *                            DEGAMMA_LUT, CTM: half intensity) and
 *                            VRR_ENABLED=1, and switches the cursor on with
 *                            drmModeSetCursor; then reads each back.
 *   lessee-leftovers check   reads those properties and the cursor plane
 *                            back; exit 1 when any is not reset.
 *
 * A property the driver lacks is reported as "NAME absent", never as
 * clean: virtio-gpu, for one, has no colour management at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "args.h"

#define CURSOR 64

struct prop {
	const char *name;
	uint32_t id;
	uint64_t value;
};

enum { GAMMA, DEGAMMA, CTM, VRR, N_PROPS };

static void read_props(int fd, uint32_t obj, uint32_t type, struct prop *props, size_t n)
{
	for (size_t k = 0; k < n; k++)
		props[k].id = 0, props[k].value = 0;
	drmModeObjectProperties *p = drmModeObjectGetProperties(fd, obj, type);
	for (uint32_t i = 0; p && i < p->count_props; i++) {
		drmModePropertyRes *pr = drmModeGetProperty(fd, p->props[i]);
		for (size_t k = 0; pr && k < n; k++)
			if (strcmp(pr->name, props[k].name) == 0) {
				props[k].id = pr->prop_id;
				props[k].value = p->prop_values[i];
			}
		drmModeFreeProperty(pr);
	}
	drmModeFreeObjectProperties(p);
}

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name, bool *has)
{
	struct prop p = { .name = name };
	read_props(fd, obj, type, &p, 1);
	*has = p.id != 0;
	return p.value;
}

/* The lease's cursor plane (type 2 = DRM_PLANE_TYPE_CURSOR), or 0. */
static uint32_t find_cursor(int fd)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	uint32_t found = 0;
	for (uint32_t i = 0; pr && i < pr->count_planes && !found; i++) {
		bool has;
		if (prop_value(fd, pr->planes[i], DRM_MODE_OBJECT_PLANE, "type", &has) ==
		    DRM_PLANE_TYPE_CURSOR && has)
			found = pr->planes[i];
	}
	drmModeFreePlaneResources(pr);
	return found;
}

static int set_blob(int fd, drmModeAtomicReq *req, uint32_t crtc, const struct prop *p,
		    const void *data, size_t size)
{
	uint32_t blob;
	if (drmModeCreatePropertyBlob(fd, data, size, &blob))
		return -errno;
	return drmModeAtomicAddProperty(req, crtc, p->id, blob) < 0 ? -ENOMEM : 0;
}

static int dirty(int fd, uint32_t crtc, struct prop *props)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int r = 0;
	if (props[GAMMA].id) {
		bool has;
		uint64_t size = prop_value(fd, crtc, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT_SIZE", &has);
		if (!has || size == 0 || size > 65536)
			size = 256;
		struct drm_color_lut *lut = calloc(size, sizeof(*lut));
		for (uint64_t i = 0; lut && i < size; i++)
			lut[i].red = lut[i].green = lut[i].blue =
				(uint16_t)(0xffff - i * 0xffff / (size - 1));
		r = lut ? set_blob(fd, req, crtc, &props[GAMMA], lut, size * sizeof(*lut)) : -ENOMEM;
		free(lut);
	}
	if (r == 0 && props[DEGAMMA].id) {
		bool has;
		uint64_t size = prop_value(fd, crtc, DRM_MODE_OBJECT_CRTC, "DEGAMMA_LUT_SIZE", &has);
		if (!has || size == 0 || size > 65536)
			size = 256;
		struct drm_color_lut *lut = calloc(size, sizeof(*lut));
		for (uint64_t i = 0; lut && i < size; i++)
			lut[i].red = lut[i].green = lut[i].blue = (uint16_t)(i * 0x7fff / (size - 1));
		r = lut ? set_blob(fd, req, crtc, &props[DEGAMMA], lut, size * sizeof(*lut)) : -ENOMEM;
		free(lut);
	}
	if (r == 0 && props[CTM].id) {
		/* S31.32 sign-magnitude: 0.5 on the diagonal. */
		struct drm_color_ctm ctm = { .matrix = { 1ull << 31, 0, 0, 0, 1ull << 31, 0, 0, 0,
							 1ull << 31 } };
		r = set_blob(fd, req, crtc, &props[CTM], &ctm, sizeof(ctm));
	}
	if (r == 0 && props[VRR].id && drmModeAtomicAddProperty(req, crtc, props[VRR].id, 1) < 0)
		r = -ENOMEM;
	if (r == 0 && drmModeAtomicGetCursor(req) > 0 && drmModeAtomicCommit(fd, req, 0, NULL))
		r = -errno;
	drmModeAtomicFree(req);
	if (r < 0) {
		fprintf(stderr, "lessee-leftovers: setting CRTC %u's properties failed: %s\n", crtc,
			strerror(-r));
		return 1;
	}

	struct drm_mode_create_dumb create = { .width = CURSOR, .height = CURSOR, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0 ||
	    drmModeSetCursor(fd, crtc, create.handle, CURSOR, CURSOR)) {
		fprintf(stderr, "lessee-leftovers: cursor on CRTC %u: %s\n", crtc, strerror(errno));
		return 1;
	}

	/* Read back: what was set must show, or a clean check proves nothing. */
	read_props(fd, crtc, DRM_MODE_OBJECT_CRTC, props, N_PROPS);
	int bad = 0;
	for (size_t k = 0; k < N_PROPS; k++) {
		if (!props[k].id) {
			printf("%s absent\n", props[k].name);
			continue;
		}
		printf("%s set %llu\n", props[k].name, (unsigned long long)props[k].value);
		bad |= props[k].value == 0;
	}
	uint32_t cursor = find_cursor(fd);
	drmModePlane *p = cursor ? drmModeGetPlane(fd, cursor) : NULL;
	printf("cursor plane %u fb %u\n", cursor, p ? p->fb_id : 0);
	bad |= !p || !p->fb_id;
	drmModeFreePlane(p);
	if (bad)
		fprintf(stderr, "lessee-leftovers: a property did not take its new value\n");
	return bad;
}

static int check(int fd, uint32_t crtc, struct prop *props)
{
	int bad = 0;
	for (size_t k = 0; k < N_PROPS; k++) {
		if (!props[k].id) {
			printf("%s absent\n", props[k].name);
			continue;
		}
		printf("%s %s %llu\n", props[k].name, props[k].value ? "leftover" : "reset",
		       (unsigned long long)props[k].value);
		bad |= props[k].value != 0;
	}
	uint32_t cursor = find_cursor(fd);
	if (!cursor) {
		printf("cursor plane absent\n");
		return 1; /* virtio-gpu has one per CRTC, and the lease must hold it */
	}
	drmModePlane *p = drmModeGetPlane(fd, cursor);
	uint32_t fb = p ? p->fb_id : 0, on = p ? p->crtc_id : 0;
	drmModeFreePlane(p);
	printf("cursor plane %u %s fb %u crtc %u\n", cursor, fb || on ? "leftover" : "reset", fb, on);
	return bad | (fb != 0) | (on != 0);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "dirty") != 0 && strcmp(argv[1], "check") != 0)) {
		fprintf(stderr, "usage: lessee-leftovers dirty|check\n");
		return 2;
	}
	int fd = 3;
	const char *env = getenv("DIRECTFLIP_LEASE_FD");
	if (env) {
		uint32_t v;
		if (args_u32(env, 10, 1023, &v) < 0) {
			fprintf(stderr, "lessee-leftovers: DIRECTFLIP_LEASE_FD='%s' is not an fd\n", env);
			return 2;
		}
		fd = (int)v;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		fprintf(stderr, "lessee-leftovers: fd %d refuses atomic KMS: %s\n", fd, strerror(errno));
		return 1;
	}
	drmModeRes *res = drmModeGetResources(fd);
	if (!res || res->count_crtcs != 1) {
		fprintf(stderr, "lessee-leftovers: the lease should hold one CRTC\n");
		return 1;
	}
	uint32_t crtc = res->crtcs[0];
	drmModeFreeResources(res);
	printf("crtc %u\n", crtc);
	struct prop props[N_PROPS] = {
		[GAMMA] = { .name = "GAMMA_LUT" },
		[DEGAMMA] = { .name = "DEGAMMA_LUT" },
		[CTM] = { .name = "CTM" },
		[VRR] = { .name = "VRR_ENABLED" },
	};
	read_props(fd, crtc, DRM_MODE_OBJECT_CRTC, props, N_PROPS);
	int r = strcmp(argv[1], "dirty") == 0 ? dirty(fd, crtc, props) : check(fd, crtc, props);
	fflush(stdout);
	return r;
}
