/* SPDX-License-Identifier: MIT */
/*
 * The baseline for the hotplug benchmark: the least any program must do to
 * light a monitor that was just plugged in. It is DRM master on the card,
 * listens to the same udev events directflipd listens to, and on each
 * change re-reads its one connector: connected and dark means one atomic
 * modeset (mode, CRTC, primary plane with a ready framebuffer);
 * disconnected and lit means one commit that turns the CRTC off, as
 * directflipd does when it revokes a lease.
 *
 * Usage: bare-modeset CONNECTOR COUNT
 * Prints "ready", then per modeset one line
 *   {"t_udev_us": T, "t_done_us": T}   (CLOCK_MONOTONIC)
 * and "off" per disable; after COUNT modesets it keeps the head lit until
 * it is killed.
 *
 * Usage: bare-modeset --commands CONNECTOR
 * The baseline for `vgpu-assign bind` (tests/bench/reconcile-cost.sh): the
 * connector is read once at start (a bind changes no connector), then each
 * line "on" on stdin is one atomic modeset with the framebuffer, answered
 * {"t_done_us": T} once the commit returned; "off" turns the CRTC off
 * again and answers "off". Ends at the end of stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libudev.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drm-props.h"
#include "dumb-buffer.h"

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int die(const char *what)
{
	fprintf(stderr, "bare-modeset: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	uint32_t id = drm_props_id(fd, obj, type, name);
	if (!id) {
		fprintf(stderr, "bare-modeset: object %u has no property %s\n", obj, name);
		exit(1);
	}
	return id;
}

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	uint64_t v = 0;
	if (drm_props_value(fd, obj, type, name, &v) < 0) {
		fprintf(stderr, "bare-modeset: object %u has no property %s\n", obj, name);
		exit(1);
	}
	return v;
}

static bool name_is(drmModeConnector *c, const char *name)
{
	char buf[64];
	const char *type = drmModeGetConnectorTypeName(c->connector_type);
	snprintf(buf, sizeof(buf), "%s-%u", type ? type : "Unknown", c->connector_type_id);
	return strcmp(buf, name) == 0;
}

/* One head and what lighting it takes, looked up once: only the commit
 * itself is in the timed path. */
struct head {
	int fd;
	uint32_t conn_id, crtc_id, plane_id, fb, w, h;
	uint32_t crtc_mode, crtc_active, conn_crtc, plane_prop[10];
	uint32_t blob;
};

/* One atomic modeset: mode (the buffer's size when c offers it), CRTC,
 * primary plane with the ready framebuffer. */
static void light(struct head *hd, const drmModeConnector *c)
{
	const drmModeModeInfo *mode = &c->modes[0];
	for (int i = 0; i < c->count_modes; i++)
		if (c->modes[i].hdisplay == hd->w && c->modes[i].vdisplay == hd->h) {
			mode = &c->modes[i];
			break;
		}
	if (hd->blob)
		drmModeDestroyPropertyBlob(hd->fd, hd->blob);
	if (drmModeCreatePropertyBlob(hd->fd, mode, sizeof(*mode), &hd->blob))
		die("mode blob");
	uint32_t mw = mode->hdisplay < hd->w ? mode->hdisplay : hd->w;
	uint32_t mh = mode->vdisplay < hd->h ? mode->vdisplay : hd->h;
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, hd->crtc_id, hd->crtc_mode, hd->blob);
	drmModeAtomicAddProperty(req, hd->crtc_id, hd->crtc_active, 1);
	drmModeAtomicAddProperty(req, hd->conn_id, hd->conn_crtc, hd->crtc_id);
	const uint64_t pv[10] = { hd->fb, hd->crtc_id, 0, 0, (uint64_t)mw << 16, (uint64_t)mh << 16,
				  0, 0, mw, mh };
	for (size_t i = 0; i < 10; i++)
		drmModeAtomicAddProperty(req, hd->plane_id, hd->plane_prop[i], pv[i]);
	if (drmModeAtomicCommit(hd->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		die("modeset commit");
	drmModeAtomicFree(req);
}

/* The CRTC off, as directflipd blanks it on revoke. */
static void darken(struct head *hd)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, hd->plane_id, hd->plane_prop[0], 0);
	drmModeAtomicAddProperty(req, hd->plane_id, hd->plane_prop[1], 0);
	drmModeAtomicAddProperty(req, hd->conn_id, hd->conn_crtc, 0);
	drmModeAtomicAddProperty(req, hd->crtc_id, hd->crtc_active, 0);
	drmModeAtomicAddProperty(req, hd->crtc_id, hd->crtc_mode, 0);
	if (drmModeAtomicCommit(hd->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		die("disable commit");
	drmModeAtomicFree(req);
}

/* --commands: "on" and "off" from stdin (see the top of the file). */
static int run_commands(struct head *hd)
{
	drmModeConnector *c = drmModeGetConnector(hd->fd, hd->conn_id);
	if (!c || c->connection != DRM_MODE_CONNECTED || c->count_modes < 1)
		return fprintf(stderr, "bare-modeset: the connector is not connected\n"), 1;
	printf("ready\n");
	fflush(stdout);
	char line[64];
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "on\n") == 0) {
			light(hd, c);
			printf("{\"t_done_us\": %" PRIu64 "}\n", now_us());
		} else if (strcmp(line, "off\n") == 0) {
			darken(hd);
			printf("off\n");
		} else {
			fprintf(stderr, "bare-modeset: unknown command %s", line);
		}
		fflush(stdout);
	}
	drmModeFreeConnector(c);
	return 0;
}

int main(int argc, char **argv)
{
	char *end;
	bool commands = argc == 3 && strcmp(argv[1], "--commands") == 0;
	if (argc != 3)
		return fprintf(stderr, "usage: bare-modeset CONNECTOR COUNT\n"
				       "       bare-modeset --commands CONNECTOR\n"), 2;
	if (commands)
		argv++;
	errno = 0;
	long count = commands ? 1 : strtol(argv[2], &end, 10);
	if (!commands && (errno || *end || count < 1 || count > 100000))
		return fprintf(stderr, "bare-modeset: bad count '%s'\n", argv[2]), 2;

	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/dri/card0");
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1))
		die("client caps");
	if (drmSetMaster(fd))
		die("drmSetMaster (is directflipd still running?)");

	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *pres = drmModeGetPlaneResources(fd);
	if (!res || !pres)
		die("resources");
	uint32_t conn_id = 0;
	uint32_t crtc_id = 0, crtc_index = 0;
	for (int i = 0; i < res->count_connectors && !conn_id; i++) {
		drmModeConnector *c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
		if (!c)
			continue;
		if (name_is(c, argv[1])) {
			conn_id = c->connector_id;
			for (int e = 0; e < c->count_encoders && !crtc_id; e++) {
				drmModeEncoder *enc = drmModeGetEncoder(fd, c->encoders[e]);
				for (int k = 0; enc && k < res->count_crtcs && !crtc_id; k++)
					if (enc->possible_crtcs & (1u << k))
						crtc_id = res->crtcs[k], crtc_index = (uint32_t)k;
				drmModeFreeEncoder(enc);
			}
		}
		drmModeFreeConnector(c);
	}
	if (!conn_id || !crtc_id)
		return fprintf(stderr, "bare-modeset: no connector %s with a CRTC\n", argv[1]), 1;
	uint32_t plane_id = 0;
	for (uint32_t i = 0; i < pres->count_planes && !plane_id; i++) {
		drmModePlane *p = drmModeGetPlane(fd, pres->planes[i]);
		if (p && (p->possible_crtcs & (1u << crtc_index)) &&
		    prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type") == DRM_PLANE_TYPE_PRIMARY)
			plane_id = p->plane_id;
		drmModeFreePlane(p);
	}
	if (!plane_id)
		return fprintf(stderr, "bare-modeset: no primary plane for CRTC %u\n", crtc_id), 1;

	/* Ready before the first plug: making it is not part of lighting up. */
	const uint32_t w = 1024, h = 768;
	struct dumb_buffer buf;
	int r = dumb_buffer_create(fd, w, h, &buf);
	if (r == 0) {
		dumb_buffer_fill(&buf, 0x00ff2020, 0, 0, 0);
		r = dumb_buffer_add_fb(&buf, DRM_FORMAT_XRGB8888);
	}
	if (r < 0) {
		errno = -r;
		die("framebuffer");
	}

	struct head hd = { .fd = fd, .conn_id = conn_id, .crtc_id = crtc_id, .plane_id = plane_id,
			   .fb = buf.fb_id, .w = w, .h = h };
	hd.crtc_mode = prop_id(fd, crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID");
	hd.crtc_active = prop_id(fd, crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	hd.conn_crtc = prop_id(fd, conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
	static const char *const plane_names[] = { "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W",
						   "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H" };
	for (size_t i = 0; i < 10; i++)
		hd.plane_prop[i] = prop_id(fd, plane_id, DRM_MODE_OBJECT_PLANE, plane_names[i]);
	if (commands)
		return run_commands(&hd);

	struct udev *udev = udev_new();
	struct udev_monitor *mon = udev ? udev_monitor_new_from_netlink(udev, "udev") : NULL;
	if (!mon || udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", NULL) < 0 ||
	    udev_monitor_enable_receiving(mon) < 0)
		die("udev monitor");
	printf("ready\n");
	fflush(stdout);

	bool lit = false;
	struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
	for (long done = 0; done < count;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		struct udev_device *dev = udev_monitor_receive_device(mon);
		if (!dev)
			continue;
		uint64_t t_udev = now_us();
		udev_device_unref(dev);
		drmModeConnector *c = drmModeGetConnector(fd, conn_id);
		if (!c)
			die("GetConnector");
		bool want = c->connection == DRM_MODE_CONNECTED && c->count_modes > 0;
		if (want && !lit) {
			light(&hd, c);
			printf("{\"t_udev_us\": %" PRIu64 ", \"t_done_us\": %" PRIu64 "}\n", t_udev, now_us());
			lit = true;
			done++;
		} else if (!want && lit) {
			darken(&hd);
			printf("off\n");
			lit = false;
		}
		fflush(stdout);
		drmModeFreeConnector(c);
	}
	/* Exiting would remove the framebuffer and darken the head before the
	 * caller has looked at it; the caller ends us with SIGTERM. */
	for (;;)
		pause();
}
