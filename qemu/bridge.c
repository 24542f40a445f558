/* SPDX-License-Identifier: MIT */
#include "qemu/bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/check.h"
#include "qemu/cursor.h"
#include "qemu/dmabuf.h"
#include "qemu/lease.h"
#include "qemu/listener.h"
#include "qemu/log.h"
#include "qemu/output.h"
#include "qemu/surface.h"
#ifdef HAVE_QEMU_INPUT
#include "qemu/input.h"
#endif

#define INPUT_DIR "/run/directflip/input"
#define QEMU_RETRY_USEC 1000000

enum show { SHOW_NOTHING, SHOW_SURFACE, SHOW_DMABUF };

struct bridge {
	sd_event *ev;
	struct bridge_options o;
	struct lease *lease;
	struct lease_info li;     /* the lease now (li.fd is ours) */
	bool leased;
	int fd;                   /* the lease fd the buffers live on, kept after a revoke */
	struct output *out;

	struct console *con;
	struct listener *lis;
#ifdef HAVE_QEMU_INPUT
	struct input *in;
#endif
	sd_event_source *qemu_retry, *qemu_gone, *busy_retry, *usr1;
	char gone_why[256];

	enum show show;
	struct surface *surf, *retired;   /* retired: replaced, maybe still on screen */
	bool asked_size;                  /* console size asked since the last resize */
	uint64_t retire_mark;             /* commits made when surf became retired */
	struct dmabuf dma, dma_old;
	struct cursor *cursor;
	int32_t mouse_x, mouse_y;
	bool mouse_on;

	/* ScanoutMap's shared memory (QEMU 9.2+). */
	uint8_t *map;
	size_t map_len;
	uint32_t map_off, map_w, map_h, map_stride, map_fmt;

	enum kms_scaling scaling;
	bool canvas;                      /* the plane cannot be placed: mode-size buffers */
	uint32_t tested_w, tested_h;      /* the frame size the placement was tested for */
	bool dirty, ack_wanted, ack_on_flip;
	uint32_t committed_fb, screen_fb;
	uint64_t commits, flips, dmabuf_imports;
	struct surface_counters count;    /* the pixel path's bytes, all surfaces */
	bool left;                        /* the planes were left by on-vm-exit */
	struct log_limit lim;
};

/* A line a peer can provoke at will goes through the limiter. */
#define peer_line(b, ...)                                                                  \
	do {                                                                               \
		unsigned _n;                                                               \
		if (log_limit_pass(&(b)->lim, &_n)) {                                      \
			char _l[512];                                                      \
			snprintf(_l, sizeof(_l), __VA_ARGS__);                             \
			if (_n)                                                            \
				log_line("%s (%u more refused in the last second)", _l, _n); \
			else                                                               \
				log_line("%s", _l);                                        \
		}                                                                          \
	} while (0)

static void kick(struct bridge *b);
static int connect_qemu(struct bridge *b);
static void retire_surface(struct bridge *b);

/* ---- the frame ---- */

static void frame_size(const struct bridge *b, uint32_t *w, uint32_t *h)
{
	*w = *h = 0;
	if (b->show == SHOW_SURFACE && b->surf) {
		*w = surface_width(b->surf);
		*h = surface_height(b->surf);
	} else if (b->show == SHOW_DMABUF) {
		*w = b->dma.w;
		*h = b->dma.h;
	}
}

/* Where a w x h frame goes in the mode-size buffers of a plane that
 * cannot be placed (no scaling there: fit and stretch were refused). */
static struct surface_canvas canvas_for(const struct bridge *b, uint32_t w, uint32_t h)
{
	struct kms_rect src, dst;
	kms_scale(b->scaling, w, h, b->li.mode_w, b->li.mode_h, &src, &dst);
	return (struct surface_canvas){ b->li.mode_w, b->li.mode_h, dst.x - src.x, dst.y - src.y };
}

static void build(struct bridge *b, struct output_state *s, uint32_t fw, uint32_t fh)
{
	*s = (struct output_state){ 0 };
	s->fb = b->show == SHOW_SURFACE ? surface_next_fb(b->surf) : b->dma.fb;
	kms_scale(b->scaling, fw, fh, b->li.mode_w, b->li.mode_h, &s->src, &s->dst);
	s->reflect_y = b->show == SHOW_DMABUF && b->dma.y0_top;
	struct kms_rect fsrc = s->src, fdst = s->dst; /* the frame's, for the cursor */
	if (b->show == SHOW_SURFACE && surface_has_canvas(b->surf)) {
		uint32_t bw, bh;
		surface_buffer_size(b->surf, &bw, &bh);
		s->src = (struct kms_rect){ 0, 0, bw, bh };
		s->dst = (struct kms_rect){ 0, 0, bw, bh };
	}
	uint32_t size = output_cursor_size(b->out);
	uint32_t cfb = size && b->mouse_on ? cursor_fb(b->cursor, b->fd, size) : 0;
	if (cfb) {
		int32_t hx, hy;
		cursor_hot(b->cursor, &hx, &hy);
		s->cursor_fb = cfb;
		s->cursor_w = s->cursor_h = size;
		check_cursor_place(&fsrc, &fdst, b->mouse_x, b->mouse_y, hx, hy, &s->cursor_x,
				   &s->cursor_y);
	}
}

static void kick(struct bridge *b)
{
	if (!b->out || !b->leased || output_busy(b->out) || !b->dirty)
		return;
	uint32_t fw, fh;
	frame_size(b, &fw, &fh);
	if (!fw || (b->show == SHOW_DMABUF && !b->dma.fb))
		return;
	struct output_state s;
	build(b, &s, fw, fh);
	if (fw != b->tested_w || fh != b->tested_h) {
		/* A new frame size: can the plane place it the layout's way? */
		b->tested_w = fw;
		b->tested_h = fh;
		int r = output_test(b->out, &s);
		if (r < 0 && b->scaling != KMS_SCALE_CENTER &&
		    (s.src.w != s.dst.w || s.src.h != s.dst.h)) {
			log_line("action=scaling-fallback scaling=%s frame=%ux%u mode=%ux%u why=\"the "
				 "plane cannot scale (%s)\": center instead",
				 check_scaling_name(b->scaling), fw, fh, b->li.mode_w, b->li.mode_h,
				 strerror(-r));
			b->scaling = KMS_SCALE_CENTER;
			build(b, &s, fw, fh);
			r = output_test(b->out, &s);
		}
		if (r < 0 && b->show == SHOW_SURFACE && !surface_has_canvas(b->surf) &&
		    (s.dst.w != b->li.mode_w || s.dst.h != b->li.mode_h || s.dst.x || s.dst.y)) {
			/* virtio-gpu's primary plane covers the whole CRTC. */
			log_line("action=canvas frame=%ux%u mode=%ux%u why=\"the primary plane cannot "
				 "be placed (%s)\": drawn at its place in mode-size buffers",
				 fw, fh, b->li.mode_w, b->li.mode_h, strerror(-r));
			b->canvas = true;
			struct surface *n;
			struct surface_canvas cv = canvas_for(b, fw, fh);
			if (surface_new(b->fd, fw, fh, surface_fourcc(b->surf), &cv, b->surf,
					&b->count, &n) == 0) {
				retire_surface(b);
				b->surf = n;
				build(b, &s, fw, fh);
			}
		}
		log_line("action=place frame=%ux%u src=%ux%u+%d+%d dst=%ux%u+%d+%d scaling=%s", fw, fh,
			 s.src.w, s.src.h, s.src.x, s.src.y, s.dst.w, s.dst.h, s.dst.x, s.dst.y,
			 check_scaling_name(b->scaling));
	}
	int r = output_commit(b->out, &s);
	if (r == -EBUSY) {
		/* The kernel still has our last flip (its event was late or
		 * went to another user of the shared lease file): again soon. */
		sd_event_source_set_time_relative(b->busy_retry, 2000);
		sd_event_source_set_enabled(b->busy_retry, SD_EVENT_ONESHOT);
		return;
	}
	if (r < 0) {
		peer_line(b, "action=commit-failed fb=%u why=\"%s\": the last frame stays", s.fb,
			  strerror(-r));
		if (b->ack_wanted && b->lis)
			listener_ack_update_dmabuf(b->lis);
		b->ack_wanted = false;
		b->dirty = false;
		return;
	}
	b->commits++;
	if (b->commits == 1)
		log_line("action=first-frame fb=%u size=%ux%u", s.fb, fw, fh);
	if (b->show == SHOW_SURFACE)
		surface_shown(b->surf);
	b->committed_fb = s.fb;
	b->dirty = false;
	b->ack_on_flip = b->ack_wanted;
	b->ack_wanted = false;
}

static int on_busy_retry(sd_event_source *s, uint64_t usec, void *data)
{
	kick(data);
	return 0;
}

static void on_flip(void *data)
{
	struct bridge *b = data;
	b->flips++;
	b->screen_fb = b->committed_fb;
	/* What was replaced is off the screen once a later commit flipped. */
	if (b->commits > b->retire_mark)
		b->retired = surface_free(b->retired);
	if (b->dma_old.fb && b->dma_old.fb != b->screen_fb)
		dmabuf_clear(&b->dma_old, false);
	if (b->ack_on_flip && b->lis)
		listener_ack_update_dmabuf(b->lis);
	b->ack_on_flip = false;
	kick(b);
}

static void retire_surface(struct bridge *b)
{
	if (!b->surf)
		return;
	surface_free(b->retired);
	b->retired = b->surf;
	b->retire_mark = b->commits;
	b->surf = NULL;
	if (!b->leased)
		b->retired = surface_free(b->retired); /* nothing of ours is on screen */
}

static void retire_dmabuf(struct bridge *b)
{
	if (b->dma.fd < 0)
		return;
	dmabuf_clear(&b->dma_old, false);
	b->dma_old = b->dma;
	b->dma = (struct dmabuf){ .fd = -1, .card_fd = -1 };
}

/* A surface of w x h in fourcc, carrying the old picture over when carry. */
static int ensure_surface(struct bridge *b, uint32_t w, uint32_t h, uint32_t fourcc, bool carry)
{
	if (b->surf && surface_width(b->surf) == w && surface_height(b->surf) == h &&
	    surface_fourcc(b->surf) == fourcc)
		return 0;
	if (b->fd < 0)
		return -ENODEV;
	struct surface *n;
	struct surface_canvas cv = canvas_for(b, w, h);
	int r = surface_new(b->fd, w, h, fourcc, b->canvas ? &cv : NULL, carry ? b->surf : NULL,
			    &b->count, &n);
	if (r < 0) {
		log_line("action=surface-failed size=%ux%u why=\"%s\"", w, h, strerror(-r));
		return r;
	}
	if (b->surf)
		log_line("action=resize from=%ux%u to=%ux%u", surface_width(b->surf),
			 surface_height(b->surf), w, h);
	retire_surface(b);
	b->surf = n;
	b->asked_size = false;
#ifdef HAVE_QEMU_INPUT
	if (b->in)
		input_set_size(b->in, w, h);
#endif
	return 0;
}

static void show_surface(struct bridge *b)
{
	if (b->show == SHOW_DMABUF)
		retire_dmabuf(b);
	b->show = SHOW_SURFACE;
	b->dirty = true;
	kick(b);
}

/* ---- what QEMU sends ---- */

static void q_scanout(void *d, uint32_t w, uint32_t h, uint32_t stride, uint32_t pixman,
		      const uint8_t *data, size_t len)
{
	struct bridge *b = d;
	char why[160];
	uint32_t fourcc;
	if (check_pixels(w, h, stride, pixman, len, why, sizeof(why)) < 0) {
		peer_line(b, "action=refuse msg=Scanout why=\"%s\": the last good frame stays", why);
		return;
	}
	check_pixman_format(pixman, &fourcc);
	if (ensure_surface(b, w, h, fourcc, false) < 0)
		return;
	struct check_rect r = { 0, 0, w, h };
	surface_write(b->surf, &r, data, stride);
	show_surface(b);
}

/* An Update that does not fit: QEMU 7.2 changes the size (VGA text mode)
 * with no new Scanout and tells the console's Width/Height only later. */
static void ask_size(struct bridge *b)
{
	uint32_t w, h;
	if (b->asked_size || !b->con)
		return;
	b->asked_size = true;
	if (console_size(b->con, &w, &h) < 0 || !w || !h || w > CHECK_MAX_SIDE || h > CHECK_MAX_SIDE)
		return;
	ensure_surface(b, w, h, surface_fourcc(b->surf), true);
}

static void copy_rect(struct bridge *b, const char *msg, int32_t x, int32_t y, int32_t w,
		      int32_t h, const uint8_t *data, uint32_t stride)
{
	struct check_rect r;
	enum check_clip c = check_clip(x, y, w, h, surface_width(b->surf), surface_height(b->surf), &r);
	if (c != CHECK_CLIP_INSIDE) {
		ask_size(b);
		c = check_clip(x, y, w, h, surface_width(b->surf), surface_height(b->surf), &r);
	}
	if (c == CHECK_CLIP_OUTSIDE) {
		peer_line(b, "action=refuse msg=%s rect=%dx%d%+d%+d why=\"outside the %ux%u surface\"",
			  msg, w, h, x, y, surface_width(b->surf), surface_height(b->surf));
		return;
	}
	if (c == CHECK_CLIP_CLIPPED)
		peer_line(b, "action=clip msg=%s rect=%dx%d%+d%+d to=%ux%u%+d%+d why=\"partly outside "
			     "the %ux%u surface\"",
			  msg, w, h, x, y, r.w, r.h, (int)r.x, (int)r.y, surface_width(b->surf),
			  surface_height(b->surf));
	const uint8_t *src = data + (size_t)((int64_t)r.y - y) * stride + (size_t)((int64_t)r.x - x) * 4;
	surface_write(b->surf, &r, src, stride);
	show_surface(b);
}

static void q_update(void *d, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t stride,
		     uint32_t pixman, const uint8_t *data, size_t len)
{
	struct bridge *b = d;
	char why[160];
	uint32_t fourcc;
	if (w <= 0 || h <= 0)
		snprintf(why, sizeof(why), "size %dx%d is empty", w, h);
	else if (check_pixels((uint32_t)w, (uint32_t)h, stride, pixman, len, why, sizeof(why)) == 0)
		why[0] = '\0';
	if (!why[0] && !b->surf)
		snprintf(why, sizeof(why), "no Scanout came before it");
	if (!why[0] && (check_pixman_format(pixman, &fourcc), fourcc != surface_fourcc(b->surf)))
		snprintf(why, sizeof(why), "pixman format 0x%x differs from the Scanout's", pixman);
	if (why[0]) {
		peer_line(b, "action=refuse msg=Update why=\"%s\": the last good frame stays", why);
		return;
	}
	copy_rect(b, "Update", x, y, w, h, data, stride);
}

static void unmap(struct bridge *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	b->map = NULL;
}

static void q_scanout_map(void *d, int fd, uint32_t offset, uint32_t w, uint32_t h,
			  uint32_t stride, uint32_t pixman)
{
	struct bridge *b = d;
	char why[160] = "";
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size < offset)
		snprintf(why, sizeof(why), "the fd is not a file of at least offset %u bytes", offset);
	else if (seals < 0 || !(seals & F_SEAL_SHRINK))
		snprintf(why, sizeof(why), "the memfd is not sealed against shrinking");
	else
		check_pixels(w, h, stride, pixman, (uint64_t)st.st_size - offset, why, sizeof(why));
	if (why[0]) {
		peer_line(b, "action=refuse msg=ScanoutMap why=\"%s\": the last good frame stays", why);
		return;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		peer_line(b, "action=refuse msg=ScanoutMap why=\"mmap: %s\"", strerror(errno));
		return;
	}
	unmap(b);
	b->map = p;
	b->map_len = (size_t)st.st_size;
	b->map_off = offset;
	b->map_w = w;
	b->map_h = h;
	b->map_stride = stride;
	b->map_fmt = pixman;
	uint32_t fourcc;
	check_pixman_format(pixman, &fourcc);
	if (ensure_surface(b, w, h, fourcc, false) < 0)
		return;
	struct check_rect r = { 0, 0, w, h };
	surface_write(b->surf, &r, b->map + offset, stride);
	show_surface(b);
}

static void q_update_map(void *d, int32_t x, int32_t y, int32_t w, int32_t h)
{
	struct bridge *b = d;
	if (!b->map || !b->surf) {
		peer_line(b, "action=refuse msg=UpdateMap why=\"no ScanoutMap came before it\"");
		return;
	}
	struct check_rect r;
	if (check_clip(x, y, w, h, b->map_w, b->map_h, &r) == CHECK_CLIP_OUTSIDE) {
		peer_line(b, "action=refuse msg=UpdateMap rect=%dx%d%+d%+d why=\"outside the %ux%u "
			     "mapped surface\"",
			  w, h, x, y, b->map_w, b->map_h);
		return;
	}
	const uint8_t *src = b->map + b->map_off + (size_t)r.y * b->map_stride + (size_t)r.x * 4;
	copy_rect(b, "UpdateMap", (int32_t)r.x, (int32_t)r.y, (int32_t)r.w, (int32_t)r.h, src,
		  b->map_stride);
}

static void q_scanout_dmabuf(void *d, int fd, uint32_t w, uint32_t h, uint32_t stride,
			     uint32_t fourcc, uint64_t modifier, bool y0_top)
{
	struct bridge *b = d;
	char why[160];
	if (check_dmabuf(w, h, stride, fourcc, why, sizeof(why)) < 0) {
		peer_line(b, "action=refuse msg=ScanoutDMABUF why=\"%s\": the last good frame stays",
			  why);
		return;
	}
	/* y0_top true: the rows run bottom-up, GL's order. QEMU's own GL
	 * displays read it so: ui/egl-headless.c flips a y_0_top frame when it
	 * reads it back top-down, ui/gtk-egl.c flips the others onto its
	 * bottom-up GL window (docs/qemu.md). The plane must reflect such
	 * frames; refused before the import when it cannot. */
	if (y0_top && b->out && !output_has_reflect_y(b->out)) {
		peer_line(b, "action=refuse msg=ScanoutDMABUF size=%ux%u why=\"y0_top: the rows run "
			     "bottom-up and the primary plane has no reflect-y rotation\": the last "
			     "good frame stays",
			  w, h);
		return;
	}
	struct dmabuf n = { .fd = -1, .card_fd = -1 };
	int r = dmabuf_set(&n, fd, w, h, stride, fourcc, modifier, y0_top,
			   b->leased ? b->fd : -1);
	if (r < 0) {
		peer_line(b, "action=refuse msg=ScanoutDMABUF size=%ux%u fourcc=0x%x modifier=0x%llx "
			     "why=\"PRIME import: %s (not a dma-buf of this card?)\": the last good "
			     "frame stays",
			  w, h, fourcc, (unsigned long long)modifier, strerror(-r));
		return;
	}
	b->dmabuf_imports++;
	if (b->leased && b->out) {
		/* Can the plane show it the layout's way (or centred)? Asked
		 * before anything changes, so a refusal keeps the last frame. */
		struct output_state st = { .fb = n.fb, .reflect_y = y0_top };
		kms_scale(b->scaling, w, h, b->li.mode_w, b->li.mode_h, &st.src, &st.dst);
		int t = output_test(b->out, &st);
		if (t < 0 && b->scaling != KMS_SCALE_CENTER) {
			kms_scale(KMS_SCALE_CENTER, w, h, b->li.mode_w, b->li.mode_h, &st.src, &st.dst);
			t = output_test(b->out, &st);
		}
		if (t < 0) {
			peer_line(b, "action=refuse msg=ScanoutDMABUF size=%ux%u mode=%ux%u why=\"the "
				     "plane cannot show it (%s; virtio-gpu's primary plane takes only "
				     "frames of the mode's size)\": the last good frame stays",
				  w, h, b->li.mode_w, b->li.mode_h, strerror(-t));
			dmabuf_clear(&n, false);
			return;
		}
	}
	retire_dmabuf(b);
	b->dma = n;
	if (b->show == SHOW_SURFACE)
		retire_surface(b);
	b->show = SHOW_DMABUF;
	/* Not flipped yet: QEMU follows every scanout with an UpdateDMABUF
	 * (dpy_gl_update), which flips. Flipping here too made two flips,
	 * two vblanks, a frame (tests/bench/qemu.sh). */
}

static void q_update_dmabuf(void *d, int32_t x, int32_t y, int32_t w, int32_t h)
{
	struct bridge *b = d;
	if (b->show != SHOW_DMABUF || !b->out || !b->leased || !b->dma.fb) {
		/* Nothing to flip: QEMU must not wait a second for us. */
		listener_ack_update_dmabuf(b->lis);
		return;
	}
	b->ack_wanted = true;
	b->dirty = true;
	kick(b);
}

static void qemu_end(struct bridge *b, const char *why)
{
	if (sd_event_source_get_enabled(b->qemu_gone, NULL) > 0)
		return;
	snprintf(b->gone_why, sizeof(b->gone_why), "%s", why);
	/* Not from inside the listener's own callbacks: on the next turn. */
	sd_event_source_set_enabled(b->qemu_gone, SD_EVENT_ONESHOT);
}

static void q_disable(void *d)
{
	qemu_end(d, "QEMU disabled the display (Disable)");
}

static void q_closed(void *d, const char *why)
{
	qemu_end(d, why);
}

/* The guest's cursor moved or changed: the next commit shows it, when the
 * lease has a cursor plane. */
static void cursor_changed(struct bridge *b)
{
	if (b->out && output_cursor_size(b->out)) {
		b->dirty = true;
		kick(b);
	}
}

static void q_mouse_set(void *d, int32_t x, int32_t y, int32_t on)
{
	struct bridge *b = d;
	b->mouse_x = x;
	b->mouse_y = y;
	b->mouse_on = on != 0;
	cursor_changed(b);
}

static void q_cursor_define(void *d, int32_t w, int32_t h, int32_t hx, int32_t hy,
			    const uint8_t *data, size_t len)
{
	struct bridge *b = d;
	char why[160];
	if (check_cursor(w, h, hx, hy, len, CHECK_MAX_CURSOR, why, sizeof(why)) < 0) {
		peer_line(b, "action=refuse msg=CursorDefine why=\"%s\"", why);
		return;
	}
	if (cursor_set_image(b->cursor, w, h, hx, hy, data) < 0)
		return;
	cursor_changed(b);
}

static void q_registered(void *d)
{
	struct bridge *b = d;
	log_line("action=listener-accepted console=%s", console_path(b->con));
	b->left = false; /* a new QEMU (--reconnect) owns the planes again */
	if (b->leased)
		console_set_ui_info(b->con, b->li.mode_w, b->li.mode_h);
}

static const struct listener_ops listener_ops = {
	.registered = q_registered,
	.scanout = q_scanout,
	.update = q_update,
	.scanout_dmabuf = q_scanout_dmabuf,
	.update_dmabuf = q_update_dmabuf,
	.scanout_map = q_scanout_map,
	.update_map = q_update_map,
	.disable = q_disable,
	.mouse_set = q_mouse_set,
	.cursor_define = q_cursor_define,
	.closed = q_closed,
};

static void on_console_size(void *data, uint32_t w, uint32_t h)
{
	struct bridge *b = data;
	log_line("action=console-size size=%ux%u", w, h);
	if (b->surf && b->show == SHOW_SURFACE && w && h && w <= CHECK_MAX_SIDE && h <= CHECK_MAX_SIDE &&
	    ensure_surface(b, w, h, surface_fourcc(b->surf), true) == 0) {
		b->dirty = true;
		kick(b);
	}
}

/* ---- QEMU comes and goes ---- */

static void disconnect_qemu(struct bridge *b)
{
#ifdef HAVE_QEMU_INPUT
	b->in = input_free(b->in);
#endif
	b->lis = listener_free(b->lis);
	b->con = console_free(b->con);
	b->ack_wanted = b->ack_on_flip = false;
}

static void log_counters(struct bridge *b)
{
	const struct surface_counters *n = &b->count;
	log_line("action=counters commits=%llu flips=%llu damaged=%llu copied=%llu catchup=%llu "
		 "moved=%llu dmabuf-imports=%llu dmabuf-copies=0",
		 (unsigned long long)b->commits, (unsigned long long)b->flips,
		 (unsigned long long)n->damaged, (unsigned long long)n->copied,
		 (unsigned long long)n->catchup, (unsigned long long)n->moved,
		 (unsigned long long)b->dmabuf_imports);
}

/* SIGUSR1: the counters now (benchmarks take differences). */
static int on_usr1(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	log_counters(data);
	return 0;
}

static void leave_planes(struct bridge *b)
{
	if (b->left)
		return;
	b->left = true;
	if (b->out && b->leased && b->li.black_on_exit) {
		int r = output_off(b->out);
		log_line("action=planes-off on-vm-exit=black%s%s", r < 0 ? " failed=" : "",
			 r < 0 ? strerror(-r) : "");
	} else if (b->leased) {
		log_line("action=planes-kept on-vm-exit=keep: the last frame stays");
	}
}

static int on_qemu_gone(sd_event_source *s, void *data)
{
	struct bridge *b = data;
	disconnect_qemu(b);
	if (b->o.reconnect) {
		log_line("action=qemu-gone why=\"%s\": waiting for the next QEMU (--reconnect)",
			 b->gone_why);
		/* The planes follow on-vm-exit meanwhile; with black, nothing
		 * of this QEMU comes back (a grant shows nothing) until the
		 * next one sends its picture. */
		leave_planes(b);
		if (b->li.black_on_exit)
			b->show = SHOW_NOTHING;
		sd_event_source_set_time_relative(b->qemu_retry, QEMU_RETRY_USEC);
		sd_event_source_set_enabled(b->qemu_retry, SD_EVENT_ONESHOT);
		return 0;
	}
	log_line("action=exit why=\"%s\"", b->gone_why);
	log_counters(b);
	leave_planes(b);
	sd_event_exit(b->ev, BRIDGE_EXIT_QEMU_GONE);
	return 0;
}

static int on_qemu_retry(sd_event_source *s, uint64_t usec, void *data)
{
	struct bridge *b = data;
	if (connect_qemu(b) < 0) {
		sd_event_source_set_time_relative(s, QEMU_RETRY_USEC);
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	return 0;
}

static int connect_qemu(struct bridge *b)
{
	char why[256] = "";
	int r = 0;
	if (!b->con)
		r = console_new(b->ev, &b->o.where, on_console_size, b, &b->con, why, sizeof(why));
	if (r < 0)
		return r;
	r = listener_new(b->ev, console_bus(b->con), console_dest(b->con), console_path(b->con),
			 &listener_ops, b, &b->lis);
	if (r < 0) {
		log_line("action=listener-failed why=\"%s\"", strerror(-r));
		b->con = console_free(b->con);
		return r;
	}
	log_line("action=listener-registered console=%s via=%s", console_path(b->con),
		 b->o.where.qmp ? "qmp-p2p" : (b->o.where.address ? "address" : "session-bus"));
#ifdef HAVE_QEMU_INPUT
	r = input_new(b->ev, console_bus(b->con), console_dest(b->con), console_path(b->con),
		      INPUT_DIR, b->o.vm, &b->in);
	if (r < 0)
		log_line("action=no-input why=\"%s\": the picture works, keys do not reach QEMU",
			 strerror(-r));
	else if (b->surf)
		input_set_size(b->in, surface_width(b->surf), surface_height(b->surf));
#endif
	return 0;
}

/* ---- the lease comes and goes ---- */

static void drop_buffers(struct bridge *b)
{
	b->retired = surface_free(b->retired);
	b->surf = surface_free(b->surf);
	dmabuf_clear(&b->dma_old, false);
	dmabuf_clear(&b->dma, true);
	cursor_drop_buffer(b->cursor);
}

static void on_lease(void *data, const struct lease_info *info)
{
	struct bridge *b = data;
	if (!info) {
		/* Revoked: no flips; the buffers stay on the old fd until a
		 * grant, and QEMU's updates keep going into them. */
		b->out = output_free(b->out);
		b->leased = false;
		b->ack_on_flip = false;
		if (b->lis)
			listener_ack_update_dmabuf(b->lis);
		return;
	}
	struct output *out = NULL;
	struct output_lease ol = { info->fd, info->crtc, info->primary, info->cursor, info->mode_w,
				   info->mode_h };
	int r = output_new(b->ev, &ol, on_flip, b, &out);
	if (r < 0) {
		log_line("action=lease-unusable why=\"%s\"", strerror(-r));
		close(info->fd);
		return;
	}
	/* Carry the picture over to buffers on the new fd. */
	struct surface *n = NULL;
	b->li = *info;
	b->scaling = info->scaling;
	struct surface_canvas cv = b->surf ? canvas_for(b, surface_width(b->surf),
							surface_height(b->surf))
					   : (struct surface_canvas){ 0 };
	if (b->surf && surface_new(info->fd, surface_width(b->surf), surface_height(b->surf),
				   surface_fourcc(b->surf), b->canvas ? &cv : NULL, b->surf,
				   &b->count, &n) < 0)
		log_line("action=carry-failed: the picture comes back with QEMU's next update");
	b->out = output_free(b->out);
	int old = b->fd;
	drop_buffers(b);
	b->surf = n;
	if (old >= 0)
		close(old);
	b->fd = info->fd;
	b->leased = true;
	b->out = out;
	b->tested_w = b->tested_h = 0;
	if (b->dma.fd >= 0 && (r = dmabuf_import(&b->dma, b->fd)) < 0)
		log_line("action=reimport-failed why=\"%s\"", strerror(-r));
	if (b->show == SHOW_SURFACE && !b->surf)
		b->show = SHOW_NOTHING;
	b->dirty = true;
	kick(b);
	if (b->lis)
		console_set_ui_info(b->con, info->mode_w, info->mode_h);
	else if (sd_event_source_get_enabled(b->qemu_retry, NULL) <= 0 && connect_qemu(b) < 0) {
		if (b->o.reconnect) {
			sd_event_source_set_time_relative(b->qemu_retry, QEMU_RETRY_USEC);
			sd_event_source_set_enabled(b->qemu_retry, SD_EVENT_ONESHOT);
		} else {
			log_line("action=exit why=\"cannot reach QEMU after the grant\"");
			sd_event_exit(b->ev, BRIDGE_EXIT_NO_QEMU);
		}
	}
}

static int exit_for(int r)
{
	switch (r) {
	case -ECONNREFUSED:
		return BRIDGE_EXIT_NO_DAEMON;
	case -ENODEV:
		return BRIDGE_EXIT_NO_VM;
	case -EPERM:
	case -EACCES:
		return BRIDGE_EXIT_NOT_OWNER;
	}
	return BRIDGE_EXIT_FAILURE;
}

int bridge_new(sd_event *ev, const struct bridge_options *o, struct bridge **out)
{
	struct bridge *b = calloc(1, sizeof(*b));
	if (!b)
		return BRIDGE_EXIT_FAILURE;
	b->ev = ev;
	b->o = *o;
	b->fd = -1;
	b->dma = b->dma_old = (struct dmabuf){ .fd = -1, .card_fd = -1 };
	int r = cursor_new(&b->cursor);
	if (r >= 0)
		r = sd_event_add_time_relative(ev, &b->qemu_retry, CLOCK_MONOTONIC, QEMU_RETRY_USEC,
					       10000, on_qemu_retry, b);
	if (r >= 0)
		r = sd_event_source_set_enabled(b->qemu_retry, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_time_relative(ev, &b->busy_retry, CLOCK_MONOTONIC, 2000, 500,
					       on_busy_retry, b);
	if (r >= 0)
		r = sd_event_source_set_enabled(b->busy_retry, SD_EVENT_OFF);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (r >= 0 && sigprocmask(SIG_BLOCK, &usr1, NULL) < 0)
		r = -errno;
	if (r >= 0)
		r = sd_event_add_signal(ev, &b->usr1, SIGUSR1, on_usr1, b);
	if (r >= 0)
		r = sd_event_add_defer(ev, &b->qemu_gone, on_qemu_gone, b);
	if (r >= 0)
		r = sd_event_source_set_enabled(b->qemu_gone, SD_EVENT_OFF);
	if (r < 0) {
		log_line("action=exit why=\"setting up the event loop: %s\"", strerror(-r));
		bridge_free(b);
		return BRIDGE_EXIT_FAILURE;
	}

	/* QEMU first, so that "no QEMU" is said before anything is taken;
	 * without --reconnect a missing QEMU is an error. */
	char why[256] = "";
	r = console_new(ev, &o->where, on_console_size, b, &b->con, why, sizeof(why));
	if (r < 0 && !o->reconnect) {
		log_line("action=exit why=\"%s\"", why[0] ? why : strerror(-r));
		bridge_free(b);
		return BRIDGE_EXIT_NO_QEMU;
	}
	if (r < 0)
		log_line("action=wait-for-qemu why=\"%s\" (--reconnect)", why);

	r = lease_new(ev, o->socket, o->vm, on_lease, b, &b->lease, why, sizeof(why));
	if (r < 0) {
		int code = exit_for(r);
		log_line("action=exit why=\"%s\"", why);
		bridge_free(b);
		return code;
	}
	*out = b;
	return 0;
}

struct bridge *bridge_free(struct bridge *b)
{
	if (!b)
		return NULL;
	if (!b->left && (b->surf || b->show != SHOW_NOTHING))
		log_counters(b);
	leave_planes(b);
	disconnect_qemu(b);
	lease_free(b->lease);
	/* keep: the frames stay on the planes; the lease file (the daemon's
	 * too) holds their framebuffers after we exit. */
	if (b->li.black_on_exit || !b->leased) {
		drop_buffers(b);
	} else {
		b->retired = surface_forget(b->retired);
		b->surf = surface_forget(b->surf);
	}
	b->out = output_free(b->out);
	unmap(b);
	cursor_free(b->cursor);
	sd_event_source_disable_unref(b->qemu_retry);
	sd_event_source_disable_unref(b->qemu_gone);
	sd_event_source_disable_unref(b->busy_retry);
	sd_event_source_disable_unref(b->usr1);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	return NULL;
}
