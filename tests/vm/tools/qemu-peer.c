/* SPDX-License-Identifier: MIT */
/*
 * A fake QEMU for directflip-qemu's --qmp mode (tests/vm/scenarios/scenario-qemu-peer.sh).
 * It speaks just enough QMP (greeting, qmp_capabilities, getfd with the fd
 * in SCM_RIGHTS, add_client protocol=@dbus-display), serves QEMU 7.2's
 * org.qemu.Display1 objects on the p2p connection that arrives, and once
 * the bridge registers its listener plays a script of Listener calls,
 * good and bad, one step per line on stdin:
 *
 *   qemu-peer --qmp SOCKET --out DIR [--card PATH] [--connector NAME]
 *
 * Steps: good, other (another picture), stride-short, data-short,
 * size-zero, size-huge, format-unknown, update-outside, memfd-dmabuf,
 * fourcc-unknown, flood, dmabuf, dmabuf-bottom-up, cursor X Y, cursor-off,
 * cursor-check, restart (this "QEMU" goes away and the next one serves the
 * same QMP socket); for benchmarks anim N and dmabuf-anim N.
 * Each step answers "done STEP" on stdout (or "fail STEP: why"), so the
 * script can look at the monitor in between. Reference pictures go to
 * DIR as PPM. The dma-buf steps are a SIMULATION of QEMU's gl=on side:
 * dumb buffers made on the card and exported with PRIME stand in for the
 * guest's GL scanouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "args.h"
#include "drm-props.h"
#include "dumb-buffer.h"

#define W 640
#define H 480
#define STRIDE (W * 4)
#define PIXMAN_X8R8G8B8 0x20020888u
#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define LISTENER_IFACE "org.qemu.Display1.Listener"
#define CONSOLE_PATH "/org/qemu/Display1/Console_0"
#define QMP_MAX 4096

static struct {
	sd_event *ev;
	sd_bus *bus;      /* the p2p "QEMU" connection from add_client */
	sd_bus *listener; /* the bridge's listener connection */
	int qmp_fd, passed_fd;
	sd_event_source *qmp_listen, *qmp_io;
	int send_error; /* the first failed send of a step, -errno */
	char qmp_buf[QMP_MAX];
	size_t qmp_len;
	const char *out, *card_path, *connector;
	int card;
	struct dumb_buffer dumb[2];
	uint32_t ui_w, ui_h;
	/* The dma-buf frames' size: the mode's, from SetUIInfo, as a GL guest
	 * that honours it would render (virtio-gpu's primary plane takes
	 * nothing smaller). */
	uint32_t dw, dh;
} p = { .qmp_fd = -1, .passed_fd = -1, .card = -1 };

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("qemu-peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("qemu-peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- pictures ----------------------------------------------------------- */

/* The good frame: no two rows or columns alike, so a shift, a flip or a
 * wrong stride shows. */
static uint32_t good_px(uint32_t x, uint32_t y)
{
	return ((x & 0xff) << 16) | ((y & 0xff) << 8) | (((x >> 8) * 64 + (y >> 8) * 128 + 32) & 0xff);
}

/* The dma-buf frames: another pattern, and a band to tell a and b apart. */
static uint32_t dmabuf_px(int which, uint32_t x, uint32_t y)
{
	if (y < 32)
		return which ? 0x00ff00 : 0xff00ff;
	return (((y * 3) & 0xff) << 16) | ((x & 0xff) << 8) | (which ? 0x40 : 0xc0);
}

static void write_ppm(const char *name, uint32_t (*px)(int, uint32_t, uint32_t), int which,
		      uint32_t w, uint32_t h, bool flip)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", p.out, name);
	FILE *f = fopen(path, "we");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = px(which, x, flip ? h - 1 - y : y);
			fputc((int)(v >> 16) & 0xff, f);
			fputc((int)(v >> 8) & 0xff, f);
			fputc((int)v & 0xff, f);
		}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static uint32_t good_px2(int which, uint32_t x, uint32_t y)
{
	(void)which;
	return good_px(x, y);
}

/* The next QEMU's picture: the good one inverted. */
static uint32_t other_px(int which, uint32_t x, uint32_t y)
{
	(void)which;
	return good_px(x, y) ^ 0xffffffu;
}

/* --- Listener calls ----------------------------------------------------- */

static sd_bus_message *call(const char *method)
{
	sd_bus_message *m = NULL;
	if (!p.listener)
		die("%s: no listener registered", method);
	int r = sd_bus_message_new_method_call(p.listener, &m, NULL, LISTENER_PATH,
					       LISTENER_IFACE, method);
	if (r < 0)
		die("%s: %s", method, strerror(-r));
	return m;
}

/* Sent as QEMU does: no reply expected. */
static void send_noreply(sd_bus_message *m)
{
	int r = sd_bus_message_set_expect_reply(m, 0);
	if (r >= 0)
		r = sd_bus_send(p.listener, m, NULL);
	if (r < 0 && !p.send_error) {
		note("sending %s: %s", sd_bus_message_get_member(m), strerror(-r));
		p.send_error = r;
	}
	sd_bus_message_unref(m);
}

static void scanout(uint32_t w, uint32_t h, uint32_t stride, uint32_t fmt, const void *data,
		    size_t len)
{
	sd_bus_message *m = call("Scanout");
	int r = sd_bus_message_append(m, "uuuu", w, h, stride, fmt);
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', data, len);
	if (r < 0)
		die("Scanout: %s", strerror(-r));
	send_noreply(m);
}

static void update(int32_t x, int32_t y, int32_t w, int32_t h, uint32_t stride,
		   const void *data, size_t len)
{
	sd_bus_message *m = call("Update");
	int r = sd_bus_message_append(m, "iiiiuu", x, y, w, h, stride, PIXMAN_X8R8G8B8);
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', data, len);
	if (r < 0)
		die("Update: %s", strerror(-r));
	send_noreply(m);
}

/* QEMU's y0_top is GL's origin: true means row 0 is the picture's
 * bottom (ui/gtk-egl.c blits with flip = !y0_top onto a bottom-up GL
 * window). Top-down dumb buffers are therefore sent with y0_top false. */
static void scanout_dmabuf(int fd, uint32_t w, uint32_t h, uint32_t stride, uint32_t fourcc,
			   uint64_t modifier, bool y0_top)
{
	sd_bus_message *m = call("ScanoutDMABUF");
	int r = sd_bus_message_append(m, "huuuutb", fd, w, h, stride, fourcc, modifier,
				      (int)y0_top);
	if (r < 0)
		die("ScanoutDMABUF: %s", strerror(-r));
	send_noreply(m);
}

/* UpdateDMABUF waits for its answer, as QEMU does (up to 1 s there; 10 s
 * here, for a loaded emulated machine). 0 answered, 1 answered with an
 * error, or -errno (no answer). */
static int update_dmabuf(void)
{
	sd_bus_message *m = call("UpdateDMABUF"), *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r = sd_bus_message_append(m, "iiii", 0, 0, (int32_t)(p.dw ? p.dw : W),
				      (int32_t)(p.dh ? p.dh : H));
	if (r >= 0)
		r = sd_bus_call(p.listener, m, 10 * 1000000ULL, &err, &reply);
	if (r > 0)
		r = 0; /* sd_bus_call says 1 on success */
	/* A refusal is an answer too; no answer at all is what QEMU cannot
	 * tell from a hung client. */
	if (r < 0 && sd_bus_error_is_set(&err) &&
	    !sd_bus_error_has_name(&err, SD_BUS_ERROR_NO_REPLY) &&
	    !sd_bus_error_has_name(&err, SD_BUS_ERROR_TIMEOUT)) {
		note("UpdateDMABUF answered with an error: %s", err.message ? err.message : err.name);
		r = 1;
	} else if (r < 0)
		note("UpdateDMABUF: %s", err.message ? err.message : strerror(-r));
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	return r < 0 ? r : r == 1;
}

static uint8_t *good_data(uint32_t stride, uint32_t rows)
{
	uint8_t *d = calloc(rows, stride);
	if (!d)
		die("out of memory");
	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t x = 0; x < W && x * 4 + 4 <= stride; x++) {
			uint32_t v = good_px(x, y);
			memcpy(d + (size_t)y * stride + x * 4, &v, 4);
		}
	return d;
}

/* --- the dma-buf side (simulated gl=on) --------------------------------- */

static void open_card(void)
{
	if (p.card >= 0)
		return;
	p.card = dumb_buffer_open_card(p.card_path);
	if (p.card < 0)
		die("%s: %s", p.card_path, strerror(-p.card));
}

static void make_dumb(void)
{
	if (p.dw)
		return; /* made already */
	open_card();
	p.dw = p.ui_w ? p.ui_w : 1024;
	p.dh = p.ui_h ? p.ui_h : 768;
	for (int i = 0; i < 2; i++) {
		int r = dumb_buffer_create(p.card, p.dw, p.dh, &p.dumb[i]);
		if (r < 0)
			die("dumb buffer: %s", strerror(-r));
		for (uint32_t y = 0; y < p.dh; y++)
			for (uint32_t x = 0; x < p.dw; x++)
				p.dumb[i].map[y * (p.dumb[i].pitch / 4) + x] = dmabuf_px(i, x, y);
	}
}

static int export(int i)
{
	int fd;
	if (drmPrimeHandleToFD(p.card, p.dumb[i].handle, DRM_CLOEXEC | DRM_RDWR, &fd) != 0)
		die("PRIME export: %s", strerror(errno));
	return fd;
}

static ino_t inode(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat: %s", strerror(errno));
	return st.st_ino;
}

/* The framebuffer on the connector's CRTC's plane of type (primary or
 * cursor), as any root client sees it now; 0: none. */
static uint32_t shown_fb(uint64_t plane_type)
{
	open_card();
	drmSetClientCap(p.card, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmModeRes *res = drmModeGetResources(p.card);
	uint32_t crtc = 0;
	for (int i = 0; res && i < res->count_connectors && !crtc; i++) {
		drmModeConnector *c = drmModeGetConnector(p.card, res->connectors[i]);
		char name[64];
		if (!c)
			continue;
		snprintf(name, sizeof(name), "%s-%u", drmModeGetConnectorTypeName(c->connector_type),
			 c->connector_type_id);
		if (strcmp(name, p.connector) == 0 && c->encoder_id) {
			drmModeEncoder *e = drmModeGetEncoder(p.card, c->encoder_id);
			crtc = e ? e->crtc_id : 0;
			drmModeFreeEncoder(e);
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	if (!crtc)
		die("%s: no CRTC drives it", p.connector);
	drmModePlaneRes *pr = drmModeGetPlaneResources(p.card);
	uint32_t fb = 0;
	for (uint32_t i = 0; pr && i < pr->count_planes && !fb; i++) {
		drmModePlane *pl = drmModeGetPlane(p.card, pr->planes[i]);
		uint64_t type = 0;
		if (pl && pl->crtc_id == crtc &&
		    drm_props_value(p.card, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type) == 0 &&
		    type == plane_type)
			fb = pl->fb_id;
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(pr);
	return fb;
}

/* The primary plane's framebuffer on the connector's CRTC as a dma-buf
 * inode (0 when there is none). */
static ino_t shown_inode(void)
{
	uint32_t fb = shown_fb(DRM_PLANE_TYPE_PRIMARY);
	if (!fb)
		return 0;
	drmModeFB2 *f = drmModeGetFB2(p.card, fb);
	if (!f)
		die("GETFB2 %u: %s", fb, strerror(errno));
	uint32_t handle = f->handles[0];
	drmModeFreeFB2(f);
	if (!handle)
		die("GETFB2 %u gave no handle (not root?)", fb);
	int fd;
	if (drmPrimeHandleToFD(p.card, handle, DRM_CLOEXEC, &fd) != 0)
		die("PRIME export of fb %u: %s", fb, strerror(errno));
	ino_t ino = inode(fd);
	close(fd);
	/* The same GEM object as our own buffer when it is ours: then this
	 * handle is that buffer's and must not be closed. */
	if (handle != p.dumb[0].handle && handle != p.dumb[1].handle)
		drmCloseBufferHandle(p.card, handle);
	return ino;
}

/* --- the cursor ---------------------------------------------------------- */

#define CUR_W 24
#define CUR_H 20
#define CUR_HX 5
#define CUR_HY 7

/* The cursor: opaque, no two rows or columns alike, and a transparent
 * column so that alpha survives too. */
static uint32_t cursor_px(uint32_t x, uint32_t y)
{
	if (x == CUR_W - 1)
		return 0;
	return 0xff000000u | (x * 10) << 16 | (y * 12) << 8 | 0x5a;
}

static void cursor_define(void)
{
	uint32_t img[CUR_W * CUR_H];
	for (uint32_t y = 0; y < CUR_H; y++)
		for (uint32_t x = 0; x < CUR_W; x++)
			img[y * CUR_W + x] = cursor_px(x, y);
	sd_bus_message *m = call("CursorDefine");
	int r = sd_bus_message_append(m, "iiii", CUR_W, CUR_H, CUR_HX, CUR_HY);
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', img, sizeof(img));
	if (r < 0)
		die("CursorDefine: %s", strerror(-r));
	send_noreply(m);
}

static void mouse_set(int32_t x, int32_t y, int32_t on)
{
	sd_bus_message *m = call("MouseSet");
	int r = sd_bus_message_append(m, "iii", x, y, on);
	if (r < 0)
		die("MouseSet: %s", strerror(-r));
	send_noreply(m);
}

/* The connector's CRTC's cursor plane, read back as a root client: its
 * framebuffer's top-left CUR_W x CUR_H pixels must be the cursor sent,
 * and the rest of it transparent. */
static bool cursor_check(char *why, size_t whylen)
{
	uint32_t fb = shown_fb(DRM_PLANE_TYPE_CURSOR);
	if (!fb) {
		snprintf(why, whylen, "no cursor plane shows a framebuffer on %s", p.connector);
		return false;
	}
	drmModeFB2 *f = drmModeGetFB2(p.card, fb);
	if (!f || !f->handles[0]) {
		snprintf(why, whylen, "GETFB2 %u: %s", fb, f ? "no handle" : strerror(errno));
		drmModeFreeFB2(f);
		return false;
	}
	uint32_t handle = f->handles[0], pitch = f->pitches[0], fw = f->width, fh = f->height;
	drmModeFreeFB2(f);
	struct drm_mode_map_dumb md = { .handle = handle };
	bool good = false;
	uint8_t *map = MAP_FAILED;
	size_t len = (size_t)pitch * fh;
	if (drmIoctl(p.card, DRM_IOCTL_MODE_MAP_DUMB, &md) == 0)
		map = mmap(NULL, len, PROT_READ, MAP_SHARED, p.card, (off_t)md.offset);
	if (map == MAP_FAILED) {
		snprintf(why, whylen, "mapping the cursor's fb %u: %s", fb, strerror(errno));
	} else {
		good = true;
		for (uint32_t y = 0; y < fh && good; y++)
			for (uint32_t x = 0; x < fw && good; x++) {
				uint32_t v, want = x < CUR_W && y < CUR_H ? cursor_px(x, y) : 0;
				memcpy(&v, map + (size_t)y * pitch + (size_t)x * 4, 4);
				if (v != want) {
					snprintf(why, whylen, "cursor fb %u (%ux%u) at %u,%u: 0x%08x, "
							      "sent 0x%08x", fb, fw, fh, x, y, v, want);
					good = false;
				}
			}
		munmap(map, len);
	}
	if (handle != p.dumb[0].handle && handle != p.dumb[1].handle)
		drmCloseBufferHandle(p.card, handle);
	return good;
}

/* --- the script --------------------------------------------------------- */

/* This "QEMU" goes away: every connection closes (the bridge sees its
 * listener drop) and the next QMP client is served afresh. */
static void restart(void)
{
	sd_bus_flush_close_unref(p.listener);
	p.listener = NULL;
	sd_bus_flush_close_unref(p.bus);
	p.bus = NULL;
	p.qmp_io = sd_event_source_disable_unref(p.qmp_io);
	if (p.qmp_fd >= 0)
		close(p.qmp_fd);
	if (p.passed_fd >= 0)
		close(p.passed_fd);
	p.qmp_fd = p.passed_fd = -1;
	p.qmp_len = 0;
	sd_event_source_set_enabled(p.qmp_listen, SD_EVENT_ON);
}

static bool step(const char *s, char *why, size_t whylen)
{
	if (strcmp(s, "restart") == 0) {
		restart();
		return true;
	} else if (!p.listener) {
		snprintf(why, whylen, "no listener registered yet");
		return false;
	} else if (strcmp(s, "good") == 0) {
		uint8_t *d = good_data(STRIDE, H);
		scanout(W, H, STRIDE, PIXMAN_X8R8G8B8, d, (size_t)STRIDE * H);
		free(d);
		write_ppm("good.ppm", good_px2, 0, W, H, false);
	} else if (strcmp(s, "other") == 0) {
		uint8_t *d = good_data(STRIDE, H);
		for (size_t i = 0; i < (size_t)W * H; i++)
			d[i * 4] ^= 0xff, d[i * 4 + 1] ^= 0xff, d[i * 4 + 2] ^= 0xff;
		scanout(W, H, STRIDE, PIXMAN_X8R8G8B8, d, (size_t)STRIDE * H);
		free(d);
		write_ppm("other.ppm", other_px, 0, W, H, false);
	} else if (strcmp(s, "stride-short") == 0) {
		uint8_t *d = good_data(STRIDE - 4, H);
		scanout(W, H, STRIDE - 4, PIXMAN_X8R8G8B8, d, (size_t)(STRIDE - 4) * H);
		free(d);
	} else if (strcmp(s, "data-short") == 0) {
		uint8_t *d = good_data(STRIDE, H);
		scanout(W, H, STRIDE, PIXMAN_X8R8G8B8, d, (size_t)STRIDE * (H - 1));
		free(d);
	} else if (strcmp(s, "size-zero") == 0) {
		scanout(0, 0, 0, PIXMAN_X8R8G8B8, "", 0);
	} else if (strcmp(s, "size-huge") == 0) {
		/* 100000 wide (one row) and 100000 high (one column), data
		 * consistent with the sizes. */
		uint8_t *d = calloc(100000, 4);
		if (!d)
			die("out of memory");
		scanout(100000, 1, 400000, PIXMAN_X8R8G8B8, d, 400000);
		scanout(1, 100000, 4, PIXMAN_X8R8G8B8, d, 400000);
		free(d);
	} else if (strcmp(s, "format-unknown") == 0) {
		uint8_t *d = good_data(STRIDE, H);
		scanout(W, H, STRIDE, 0x12345678, d, (size_t)STRIDE * H);
		free(d);
	} else if (strcmp(s, "update-outside") == 0) {
		/* Wholly outside, negative, overflowing: refused. Partly
		 * outside: clipping or refusing are both right, so its data is
		 * the good frame's own pixels there and the picture stays. */
		static const int32_t r[][4] = {
			{ 700, 500, 16, 16 }, { -100, -100, 16, 16 }, { 0, 0, -16, 16 },
			{ 0x7ffffff0, 0, 32, 16 }, { 600, 400, 100, 100 }, { -8, -8, 16, 16 },
		};
		uint8_t *d = calloc(100 * 100, 4);
		if (!d)
			die("out of memory");
		for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
			int32_t w = r[k][2] > 0 ? r[k][2] : 16, h = r[k][3];
			for (int32_t y = 0; y < h; y++)
				for (int32_t x = 0; x < w; x++) {
					uint32_t v = good_px((uint32_t)(r[k][0] + x), (uint32_t)(r[k][1] + y));
					memcpy(d + ((size_t)y * (size_t)w + (size_t)x) * 4, &v, 4);
				}
			update(r[k][0], r[k][1], r[k][2], h, (uint32_t)w * 4, d, (size_t)w * 4 * (size_t)h);
		}
		free(d);
	} else if (strcmp(s, "memfd-dmabuf") == 0) {
		int fd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)STRIDE * H) != 0)
			die("memfd: %s", strerror(errno));
		scanout_dmabuf(fd, W, H, STRIDE, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, false);
		close(fd);
		/* QEMU waits for this answer; a refused scanout must not hang it. */
		if (update_dmabuf() < 0) {
			snprintf(why, whylen, "UpdateDMABUF after a memfd got no answer");
			return false;
		}
	} else if (strcmp(s, "fourcc-unknown") == 0) {
		make_dumb();
		int fd = export(0);
		scanout_dmabuf(fd, p.dw, p.dh, p.dumb[0].pitch, fourcc_code('X', 'X', '9', '9'),
			       DRM_FORMAT_MOD_LINEAR, false);
		close(fd);
		if (update_dmabuf() < 0) {
			snprintf(why, whylen, "UpdateDMABUF after an unknown fourcc got no answer");
			return false;
		}
	} else if (strcmp(s, "flood") == 0) {
		/* The good frame's own top-left corner, 20000 times: the
		 * picture must not change, and nothing may pile up. */
		uint8_t *d = good_data(STRIDE, 16);
		for (int i = 0; i < 20000; i++) {
			update(0, 0, 16, 16, STRIDE, d, (size_t)STRIDE * 16);
			if (i % 1000 == 999)
				sd_bus_flush(p.listener);
		}
		free(d);
	} else if (strncmp(s, "cursor ", 7) == 0) {
		/* CursorDefine (24x20, hot spot 5,7) and MouseSet at X Y
		 * (surface pixels, 0 to 4096). */
		char xs[16], ys[16];
		uint32_t xy[2];
		if (sscanf(s + 7, "%15s %15s", xs, ys) != 2 || args_u32(xs, 10, 4096, &xy[0]) < 0 ||
		    args_u32(ys, 10, 4096, &xy[1]) < 0) {
			snprintf(why, whylen, "cursor: X Y must be numbers up to 4096");
			return false;
		}
		cursor_define();
		mouse_set((int32_t)xy[0], (int32_t)xy[1], 1);
	} else if (strcmp(s, "cursor-off") == 0) {
		mouse_set(0, 0, 0);
	} else if (strcmp(s, "cursor-check") == 0) {
		if (!cursor_check(why, whylen))
			return false;
	} else if (strncmp(s, "anim ", 5) == 0) {
		/* Benchmarks: N frames at 60 fps, each one 64x64 Update (16 KiB
		 * damaged) of a block moving over the good frame. */
		uint32_t n;
		if (args_u32(s + 5, 10, 1000000, &n) < 0) {
			snprintf(why, whylen, "anim: N must be a number");
			return false;
		}
		uint8_t blk[64 * 64 * 4];
		for (uint32_t i = 0; i < n; i++) {
			memset(blk, (int)(i * 37) & 0xff, sizeof(blk));
			update((int32_t)((i * 8) % (W - 64)), (int32_t)((i * 4) % (H - 64)), 64, 64, 256,
			       blk, sizeof(blk));
			sd_bus_flush(p.listener);
			struct timespec ts = { 0, 16666667 };
			nanosleep(&ts, NULL);
		}
	} else if (strncmp(s, "dmabuf-anim ", 12) == 0) {
		/* Benchmarks: N dma-buf frames, a and b alternating, each
		 * answered before the next (as QEMU waits). */
		uint32_t n;
		if (args_u32(s + 12, 10, 1000000, &n) < 0) {
			snprintf(why, whylen, "dmabuf-anim: N must be a number");
			return false;
		}
		make_dumb();
		for (uint32_t i = 0; i < n; i++) {
			int fd = export((int)(i % 2));
			scanout_dmabuf(fd, p.dw, p.dh, p.dumb[i % 2].pitch, DRM_FORMAT_XRGB8888,
				       DRM_FORMAT_MOD_LINEAR, false);
			close(fd);
			if (update_dmabuf() != 0) {
				snprintf(why, whylen, "frame %u: UpdateDMABUF not answered", i);
				return false;
			}
		}
	} else if (strcmp(s, "dmabuf") == 0 || strcmp(s, "dmabuf-bottom-up") == 0) {
		/* Alternate a and b, 10 frames; each UpdateDMABUF's answer
		 * must find the buffer just sent on the primary plane: the
		 * bridge answered after its flip, not before. Ends on a. */
		bool top = strcmp(s, "dmabuf") == 0;
		make_dumb();
		ino_t want[2];
		for (int i = 0; i < 2; i++) {
			int fd = export(i);
			want[i] = inode(fd);
			close(fd);
		}
		int last = 0;
		for (int n = 0; n < 10; n++) {
			int i = (n + 1) % 2;
			last = i;
			int fd = export(i);
			scanout_dmabuf(fd, p.dw, p.dh, p.dumb[i].pitch, DRM_FORMAT_XRGB8888,
				       DRM_FORMAT_MOD_LINEAR, !top);
			close(fd);
			int a = update_dmabuf();
			if (a < 0 || (top && a == 1)) {
				snprintf(why, whylen, "frame %d: UpdateDMABUF %s", n,
					 a < 0 ? "got no answer" : "was refused");
				return false;
			}
			ino_t got = shown_inode();
			if (top && got != want[i]) {
				snprintf(why, whylen,
					 "frame %d: UpdateDMABUF answered while the plane showed "
					 "inode %lu, not the buffer sent (%lu)",
					 n, (unsigned long)got, (unsigned long)want[i]);
				return false;
			}
			if (!top && got != want[i])
				note("frame %d (y0_top=true) is not on the plane", n);
		}
		write_ppm(top ? "dmabuf.ppm" : "dmabuf-bottom-up.ppm", dmabuf_px, last, p.dw, p.dh,
			  !top);
	} else {
		snprintf(why, whylen, "unknown step");
		return false;
	}
	int r = p.send_error ? p.send_error : sd_bus_flush(p.listener);
	p.send_error = 0;
	if (r < 0) {
		snprintf(why, whylen, "the listener connection: %s", strerror(-r));
		return false;
	}
	return true;
}

static int on_stdin(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	(void)s;
	(void)revents;
	(void)data;
	static char line[256];
	static size_t len;
	ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);
	if (n <= 0)
		return sd_event_exit(p.ev, 0);
	len += (size_t)n;
	char *nl;
	while ((nl = memchr(line, '\n', len))) {
		*nl = '\0';
		char why[256] = "";
		if (step(line, why, sizeof(why)))
			printf("done %s\n", line);
		else
			printf("fail %s: %s\n", line, why);
		len -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, len);
	}
	if (len == sizeof(line) - 1)
		die("stdin: line too long");
	return 0;
}

/* --- the D-Bus objects (QEMU 7.2's properties) -------------------------- */

static int prop_s(sd_bus *b, const char *path, const char *iface, const char *prop,
		  sd_bus_message *reply, void *data, sd_bus_error *err)
{
	(void)b, (void)path, (void)iface, (void)prop, (void)err;
	return sd_bus_message_append(reply, "s", (const char *)data);
}

/* The string properties' values: Label VGA, Type Graphic and so on. */
static int prop_str(sd_bus *b, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *data, sd_bus_error *err)
{
	(void)data;
	static const char *const v[][2] = {
		{ "Name", "peer" },		{ "UUID", "00000000-0000-0000-0000-000000000000" },
		{ "Label", "VGA" },		{ "Type", "Graphic" },
		{ "DeviceAddress", "pci/0000/02.0" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(prop, v[i][0]) == 0)
			return prop_s(b, path, iface, prop, reply, (void *)v[i][1], err);
	return -ENOENT;
}

static int prop_u(sd_bus *b, const char *path, const char *iface, const char *prop,
		  sd_bus_message *reply, void *data, sd_bus_error *err)
{
	(void)b, (void)path, (void)iface, (void)err, (void)data;
	uint32_t v = strcmp(prop, "Width") == 0 ? W : strcmp(prop, "Height") == 0 ? H : 0;
	return sd_bus_message_append(reply, "u", v);
}

static int prop_b(sd_bus *b, const char *path, const char *iface, const char *prop,
		  sd_bus_message *reply, void *data, sd_bus_error *err)
{
	(void)b, (void)path, (void)iface, (void)prop, (void)err, (void)data;
	return sd_bus_message_append(reply, "b", 0);
}

static int prop_ids(sd_bus *b, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *data, sd_bus_error *err)
{
	(void)b, (void)path, (void)iface, (void)prop, (void)err, (void)data;
	const uint32_t ids[] = { 0 };
	return sd_bus_message_append_array(reply, 'u', ids, sizeof(ids));
}

static int register_listener(sd_bus_message *m, void *data, sd_bus_error *err)
{
	(void)data, (void)err;
	int fd;
	int r = sd_bus_message_read(m, "h", &fd);
	if (r < 0)
		return r;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (p.listener) {
		note("a second RegisterListener: the first listener is dropped");
		sd_bus_flush_close_unref(p.listener);
		p.listener = NULL;
	}
	sd_id128_t id;
	sd_bus *l = NULL;
	r = sd_id128_randomize(&id);
	if (r >= 0)
		r = sd_bus_new(&l);
	if (r >= 0)
		r = sd_bus_set_fd(l, fd, fd);
	if (r >= 0)
		r = sd_bus_set_server(l, 1, id);
	if (r >= 0)
		r = sd_bus_set_anonymous(l, 1);
	if (r >= 0)
		r = sd_bus_negotiate_fds(l, 1);
	if (r >= 0)
		r = sd_bus_start(l);
	/* As QEMU 7.2: authenticate as the server before answering, with the
	 * rest of the "VMM" blocked meanwhile. */
	for (int i = 0; r >= 0 && i < 200 && sd_bus_is_ready(l) <= 0; i++) {
		r = sd_bus_process(l, NULL);
		if (r == 0)
			r = sd_bus_wait(l, 100000);
	}
	if (r >= 0 && sd_bus_is_ready(l) <= 0)
		r = -ETIMEDOUT;
	if (r >= 0)
		r = sd_bus_attach_event(l, p.ev, 0);
	if (r < 0) {
		note("RegisterListener: the listener connection: %s", strerror(-r));
		sd_bus_unref(l);
		return r;
	}
	p.listener = l;
	note("listener registered");
	printf("listener\n");
	return sd_bus_reply_method_return(m, NULL);
}

static int set_ui_info(sd_bus_message *m, void *data, sd_bus_error *err)
{
	(void)data, (void)err;
	uint16_t wmm, hmm;
	int32_t x, y;
	int r = sd_bus_message_read(m, "qqiiuu", &wmm, &hmm, &x, &y, &p.ui_w, &p.ui_h);
	if (r < 0)
		return r;
	note("SetUIInfo %ux%u", p.ui_w, p.ui_h);
	return sd_bus_reply_method_return(m, NULL);
}

static int input_call(sd_bus_message *m, void *data, sd_bus_error *err)
{
	(void)data, (void)err;
	note("%s.%s", sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
	return sd_bus_reply_method_return(m, NULL);
}

/* QEMU checks no caller's uid: the bridge runs as the VM's owner, not as
 * this peer's root, so every method is UNPRIVILEGED (sd-bus's default
 * admits only the same uid or CAP_SYS_ADMIN). */
static const sd_bus_vtable vm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", prop_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("UUID", "s", prop_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ConsoleIDs", "au", prop_ids, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable console_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("RegisterListener", "h", "", register_listener, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetUIInfo", "qqiiuu", "", set_ui_info, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Label", "s", prop_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Head", "u", prop_u, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Type", "s", prop_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Width", "u", prop_u, 0, 0),
	SD_BUS_PROPERTY("Height", "u", prop_u, 0, 0),
	SD_BUS_PROPERTY("DeviceAddress", "s", prop_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable keyboard_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Release", "u", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Modifiers", "u", prop_u, 0, 0),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable mouse_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Release", "u", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetAbsPosition", "uu", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RelMotion", "ii", "", input_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("IsAbsolute", "b", prop_b, 0, 0),
	SD_BUS_VTABLE_END,
};

static int add_objects(sd_bus *b)
{
	static const struct {
		const char *path, *iface;
		const sd_bus_vtable *vt;
	} objs[] = {
		{ "/org/qemu/Display1/VM", "org.qemu.Display1.VM", vm_vtable },
		{ CONSOLE_PATH, "org.qemu.Display1.Console", console_vtable },
		{ CONSOLE_PATH, "org.qemu.Display1.Keyboard", keyboard_vtable },
		{ CONSOLE_PATH, "org.qemu.Display1.Mouse", mouse_vtable },
	};
	int r = sd_bus_add_object_manager(b, NULL, "/org/qemu/Display1");
	for (size_t i = 0; r >= 0 && i < sizeof(objs) / sizeof(objs[0]); i++)
		r = sd_bus_add_object_vtable(b, NULL, objs[i].path, objs[i].iface, objs[i].vt,
					     NULL);
	return r;
}

/* --- QMP ---------------------------------------------------------------- */

static void qmp_send(const char *json)
{
	size_t len = strlen(json);
	if (write(p.qmp_fd, json, len) != (ssize_t)len || write(p.qmp_fd, "\r\n", 2) != 2)
		die("QMP write: %s", strerror(errno));
}

static void start_display_bus(int fd)
{
	sd_id128_t id;
	int r = sd_id128_randomize(&id);
	if (r >= 0)
		r = sd_bus_new(&p.bus);
	if (r >= 0)
		r = sd_bus_set_fd(p.bus, fd, fd);
	if (r >= 0)
		r = sd_bus_set_server(p.bus, 1, id);
	if (r >= 0)
		r = sd_bus_set_anonymous(p.bus, 1);
	if (r >= 0)
		r = sd_bus_negotiate_fds(p.bus, 1);
	if (r >= 0)
		r = add_objects(p.bus);
	if (r >= 0)
		r = sd_bus_start(p.bus);
	if (r >= 0)
		r = sd_bus_attach_event(p.bus, p.ev, 0);
	if (r < 0)
		die("the p2p display connection: %s", strerror(-r));
	note("add_client: the display connection is up");
}

/* One QMP command (a whole JSON object), answered. */
static void qmp_command(const char *cmd)
{
	if (strstr(cmd, "\"qmp_capabilities\"")) {
		qmp_send("{\"return\": {}}");
	} else if (strstr(cmd, "\"getfd\"")) {
		if (p.passed_fd < 0) {
			qmp_send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"No file "
				 "descriptor supplied via SCM_RIGHTS\"}}");
			return;
		}
		qmp_send("{\"return\": {}}");
	} else if (strstr(cmd, "\"add_client\"") && strstr(cmd, "\"@dbus-display\"")) {
		if (p.passed_fd < 0 || p.bus) {
			qmp_send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no fd or "
				 "already a client\"}}");
			return;
		}
		qmp_send("{\"return\": {}}");
		start_display_bus(p.passed_fd);
		p.passed_fd = -1;
	} else {
		note("QMP: unknown command %s", cmd);
		qmp_send("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"not in the "
			 "test peer\"}}");
	}
}

static int on_qmp(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	(void)revents, (void)data;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { p.qmp_buf + p.qmp_len, QMP_MAX - 1 - p.qmp_len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0) {
		note("QMP: the client closed the connection");
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		return 0;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			if (p.passed_fd >= 0)
				close(p.passed_fd);
			memcpy(&p.passed_fd, CMSG_DATA(c), sizeof(int));
		}
	p.qmp_len += (size_t)n;
	/* Whole objects: braces counted outside strings. */
	size_t start = 0, i;
	int depth = 0;
	bool str = false, esc = false;
	for (i = 0; i < p.qmp_len; i++) {
		char ch = p.qmp_buf[i];
		if (str) {
			esc = !esc && ch == '\\';
			str = esc || ch != '"';
			continue;
		}
		if (ch == '"')
			str = true;
		else if (ch == '{' && depth++ == 0)
			start = i;
		else if (ch == '}' && --depth == 0) {
			char cmd[QMP_MAX];
			memcpy(cmd, p.qmp_buf + start, i + 1 - start);
			cmd[i + 1 - start] = '\0';
			qmp_command(cmd);
			memmove(p.qmp_buf, p.qmp_buf + i + 1, p.qmp_len - i - 1);
			p.qmp_len -= i + 1;
			i = (size_t)-1;
			start = 0;
		}
	}
	if (p.qmp_len >= QMP_MAX - 1)
		die("QMP: a command longer than %d bytes", QMP_MAX);
	return 0;
}

static int on_qmp_listen(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	(void)revents, (void)data;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return 0;
	if (p.qmp_fd >= 0) {
		close(c); /* one QMP client, as QEMU's default monitor */
		return 0;
	}
	p.qmp_fd = c;
	sd_event_source_set_enabled(s, SD_EVENT_OFF);
	qmp_send("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
		 "\"package\": \"directflip test peer\"}, \"capabilities\": []}}");
	return sd_event_add_io(p.ev, &p.qmp_io, c, EPOLLIN, on_qmp, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "qmp", required_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "card", required_argument, NULL, 'c' },
		{ "connector", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *qmp = NULL;
	p.card_path = "/dev/dri/card0";
	p.connector = "Virtual-2";
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'q': qmp = optarg; break;
		case 'o': p.out = optarg; break;
		case 'c': p.card_path = optarg; break;
		case 'n': p.connector = optarg; break;
		default: return 2;
		}
	}
	if (!qmp || !p.out || optind != argc) {
		fprintf(stderr, "usage: qemu-peer --qmp SOCKET --out DIR [--card PATH] "
				"[--connector NAME]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(qmp) >= sizeof(sa.sun_path))
		die("%s: path too long", qmp);
	strcpy(sa.sun_path, qmp);
	unlink(qmp);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ls, 4) != 0)
		die("%s: %s", qmp, strerror(errno));
	/* The bridge runs as the VM's owner, not root. */
	if (chmod(qmp, 0666) != 0)
		die("%s: %s", qmp, strerror(errno));
	int r = sd_event_default(&p.ev);
	if (r >= 0)
		r = sd_event_add_io(p.ev, &p.qmp_listen, ls, EPOLLIN, on_qmp_listen, NULL);
	if (r >= 0)
		r = sd_event_add_io(p.ev, NULL, STDIN_FILENO, EPOLLIN, on_stdin, NULL);
	if (r < 0)
		die("event loop: %s", strerror(-r));
	printf("listening\n");
	r = sd_event_loop(p.ev);
	sd_bus_flush_close_unref(p.listener);
	sd_bus_flush_close_unref(p.bus);
	return r < 0 ? 1 : 0;
}
