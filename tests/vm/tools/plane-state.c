/* SPDX-License-Identifier: MIT */
/*
 * Test tool: prints what every plane of a card shows, read back from the
 * kernel as a plain client (no lease, no master), one line per plane:
 *   plane ID type=primary|overlay|cursor fb=N crtc=N x=N y=N w=N h=N
 * x/y/w/h are CRTC_X/Y/W/H (atomic properties: the client sets the atomic
 * cap).   usage: plane-state [CARD]
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

static int64_t prop(int fd, uint32_t plane, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	int64_t v = -1;
	for (uint32_t i = 0; props && i < props->count_props && v == -1; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (p && strcmp(p->name, name) == 0)
			v = (int64_t)props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

int main(int argc, char **argv)
{
	const char *card = argc > 1 ? argv[1] : "/dev/dri/card0";
	int fd = open(card, O_RDWR | O_CLOEXEC);
	if (fd < 0 || drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0) {
		perror(card);
		return 1;
	}
	drmModePlaneRes *res = drmModeGetPlaneResources(fd);
	if (!res) {
		perror("drmModeGetPlaneResources");
		return 1;
	}
	static const char *const types[] = { "overlay", "primary", "cursor" };
	for (uint32_t i = 0; i < res->count_planes; i++) {
		uint32_t id = res->planes[i];
		int64_t t = prop(fd, id, "type");
		/* CRTC_X/Y are signed 32-bit values in a u64 property. */
		printf("plane %u type=%s fb=%" PRId64 " crtc=%" PRId64 " x=%d y=%d w=%" PRId64
		       " h=%" PRId64 "\n",
		       id, t >= 0 && t <= 2 ? types[t] : "?", prop(fd, id, "FB_ID"),
		       prop(fd, id, "CRTC_ID"), (int32_t)prop(fd, id, "CRTC_X"),
		       (int32_t)prop(fd, id, "CRTC_Y"), prop(fd, id, "CRTC_W"), prop(fd, id, "CRTC_H"));
	}
	drmModeFreePlaneResources(res);
	close(fd);
	return 0;
}
