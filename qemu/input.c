/* SPDX-License-Identifier: MIT */
#include "qemu/input.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "qemu/keymap.h"
#include "qemu/pointer.h"

#define KEYBOARD_IFACE "org.qemu.Display1.Keyboard"
#define MOUSE_IFACE "org.qemu.Display1.Mouse"

/* Calls awaiting QEMU's reply. Past this, reading pauses until half have
 * come back: the kernel's per-reader queue holds the events meanwhile. */
#define IN_FLIGHT_MAX 64
#define RETRY_USEC (1000 * 1000)
#define WHEEL_NOTCHES_MAX 8   /* per frame: a wheel cannot turn faster */
#define READS_PER_WAKEUP 16   /* then back to the loop, which calls again */

enum kind { KEYBOARD, POINTER, TABLET, KINDS };
static const char *const kind_names[KINDS] = { "keyboard", "pointer", "tablet" };

struct call {
	struct input *in;
	sd_bus_slot *slot; /* NULL: free */
	bool abs;
};

struct device {
	struct input *in;
	enum kind kind;
	char path[PATH_MAX];
	int fd;
	sd_event_source *io;
	bool told_missing;  /* one log line per absence, not one per retry */
	bool dropped;       /* SYN_DROPPED: this frame's events are lost */
	int32_t dx, dy;     /* this frame's relative motion */
	int32_t wheel;      /* this frame's wheel notches, up positive */
	bool abs_moved;
	int32_t abs[2];     /* ABS_X, ABS_Y as last reported */
	struct input_absinfo range[2];
	/* Keys and buttons this device has pressed in QEMU, by evdev code: what
	 * to release when it goes away, and the state a resync compares with. */
	uint8_t held[KEY_CNT / 8];
};

struct input {
	sd_event *ev;
	sd_bus *bus;
	char *dest;
	char *path;
	char *vm;
	uint32_t width, height;
	bool abs_refused;           /* QEMU refused SetAbsPosition: relative from now on */
	bool have_last;             /* the tablet's last position, for that relative motion */
	uint32_t last_x, last_y;
	bool told_error, told_no_size;
	unsigned in_flight;
	bool paused;
	struct call calls[IN_FLIGHT_MAX];
	sd_event_source *retry;
	struct device dev[KINDS];
};

static void say(const struct input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct input *in, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "directflip-qemu: vm=%s %s\n", in->vm, line);
}

static bool bit(const uint8_t *bits, unsigned n)
{
	return bits[n / 8] & (1u << (n % 8));
}

static void set_bit(uint8_t *bits, unsigned n, bool on)
{
	if (on)
		bits[n / 8] |= (uint8_t)(1u << (n % 8));
	else
		bits[n / 8] &= (uint8_t)~(1u << (n % 8));
}

static void set_paused(struct input *in, bool paused)
{
	in->paused = paused;
	for (int k = 0; k < KINDS; k++)
		if (in->dev[k].io)
			sd_event_source_set_enabled(in->dev[k].io, paused ? SD_EVENT_OFF : SD_EVENT_ON);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct call *c = userdata;
	struct input *in = c->in;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	/* No reply in time or a lost connection says nothing about the mouse. */
	bool local = e && (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
			   sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED));
	if (e && c->abs && !local && !in->abs_refused) {
		in->abs_refused = true;
		say(in, "action=abs-refused error=%s why=\"%s\": the tablet's motion goes as "
			"RelMotion from now on", e->name, e->message ? e->message : "");
	} else if (e && !c->abs && !in->told_error) {
		in->told_error = true;
		say(in, "action=input-call-failed error=%s why=\"%s\" (further errors not logged)",
		    e->name, e->message ? e->message : "");
	}
	c->slot = sd_bus_slot_unref(c->slot);
	in->in_flight--;
	if (in->paused && in->in_flight <= IN_FLIGHT_MAX / 2)
		set_paused(in, false);
	return 0;
}

static struct call *free_call(struct input *in)
{
	for (int i = 0; i < IN_FLIGHT_MAX; i++)
		if (!in->calls[i].slot)
			return &in->calls[i];
	return NULL;
}

/* One method call on the console object, without waiting. With no call slot
 * free (a frame can bring several calls) it goes without a reply, so no key
 * is ever lost; reading is paused until replies come back. */
static int send_call(struct input *in, const char *iface, const char *member, bool abs,
		     const char *types, ...)
{
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(in->bus, &m, in->dest, in->path, iface, member);
	if (r >= 0) {
		va_list ap;
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	struct call *c = r >= 0 ? free_call(in) : NULL;
	if (r >= 0 && c) {
		r = sd_bus_call_async(in->bus, &c->slot, m, on_reply, c, 0);
		if (r >= 0) {
			c->abs = abs;
			in->in_flight++;
		}
	} else if (r >= 0) {
		r = sd_bus_message_set_expect_reply(m, 0);
		if (r >= 0)
			r = sd_bus_send(in->bus, m, NULL);
	}
	sd_bus_message_unref(m);
	if (r < 0 && !in->told_error) {
		in->told_error = true;
		say(in, "action=input-send-failed call=%s.%s why=\"%s\" (further errors not logged)",
		    iface, member, strerror(-r));
	}
	if (in->in_flight >= IN_FLIGHT_MAX && !in->paused)
		set_paused(in, true);
	return r;
}

/* A key or button to QEMU; a code QEMU has no number for is dropped. */
static void send_key(struct device *d, uint16_t code, bool pressed)
{
	struct input *in = d->in;
	int button = pointer_button(code);
	int qnum = button < 0 ? keymap_qnum(code) : -ENOENT;
	if (button < 0 && qnum < 0)
		return;
	if (!pressed && !bit(d->held, code))
		return; /* pressed before we opened the device: QEMU never saw it */
	const char *member = pressed ? "Press" : "Release";
	if (button >= 0)
		send_call(in, MOUSE_IFACE, member, false, "u", (uint32_t)button);
	else
		send_call(in, KEYBOARD_IFACE, member, false, "u", (uint32_t)qnum);
	set_bit(d->held, code, pressed);
}

static void release_all(struct device *d)
{
	for (unsigned code = 0; code < KEY_CNT; code++)
		if (bit(d->held, code))
			send_key(d, (uint16_t)code, false);
}

/* The frame's motion so far: relative as it came, the tablet's position
 * scaled to the console (or as relative motion where QEMU refuses it). */
static void flush_motion(struct device *d)
{
	struct input *in = d->in;
	if (d->dx || d->dy)
		send_call(in, MOUSE_IFACE, "RelMotion", false, "ii", d->dx, d->dy);
	d->dx = d->dy = 0;
	if (d->wheel) {
		uint32_t b = d->wheel > 0 ? POINTER_WHEEL_UP : POINTER_WHEEL_DOWN;
		int32_t n = d->wheel > 0 ? d->wheel : -d->wheel;
		for (int32_t i = 0; i < n && i < WHEEL_NOTCHES_MAX; i++) {
			send_call(in, MOUSE_IFACE, "Press", false, "u", b);
			send_call(in, MOUSE_IFACE, "Release", false, "u", b);
		}
		d->wheel = 0;
	}
	if (!d->abs_moved)
		return;
	d->abs_moved = false;
	if (!in->width || !in->height) {
		if (!in->told_no_size) {
			in->told_no_size = true;
			say(in, "action=abs-dropped why=\"the console's size is not known yet\"");
		}
		return;
	}
	uint32_t x = pointer_abs_scale(d->abs[0], d->range[0].minimum, d->range[0].maximum,
				       in->width);
	uint32_t y = pointer_abs_scale(d->abs[1], d->range[1].minimum, d->range[1].maximum,
				       in->height);
	if (!in->abs_refused)
		send_call(in, MOUSE_IFACE, "SetAbsPosition", true, "uu", x, y);
	else if (in->have_last)
		send_call(in, MOUSE_IFACE, "RelMotion", false, "ii",
			  (int32_t)((int64_t)x - in->last_x), (int32_t)((int64_t)y - in->last_y));
	in->last_x = x;
	in->last_y = y;
	in->have_last = true;
}

/* After SYN_DROPPED: the kernel's key state against what QEMU was told. */
static void resync(struct device *d)
{
	uint8_t now[KEY_CNT / 8] = { 0 };
	if (ioctl(d->fd, EVIOCGKEY(sizeof(now)), now) < 0)
		return;
	for (unsigned code = 0; code < KEY_CNT; code++)
		if (bit(now, code) != bit(d->held, code))
			send_key(d, (uint16_t)code, bit(now, code));
	if (d->kind == TABLET) {
		struct input_absinfo a;
		for (int i = 0; i < 2; i++)
			if (ioctl(d->fd, EVIOCGABS(ABS_X + i), &a) == 0)
				d->abs[i] = a.value;
		d->abs_moved = true;
	}
	d->dx = d->dy = d->wheel = 0;
	flush_motion(d);
}

static int32_t add_clamped(int32_t a, int32_t b)
{
	int64_t s = (int64_t)a + b;
	return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : (int32_t)s;
}

static void handle(struct device *d, const struct input_event *e)
{
	if (e->type == EV_SYN && e->code == SYN_DROPPED) {
		d->dropped = true;
		return;
	}
	if (d->dropped) {
		if (e->type == EV_SYN && e->code == SYN_REPORT) {
			d->dropped = false;
			resync(d);
		}
		return;
	}
	switch (e->type) {
	case EV_SYN:
		if (e->code == SYN_REPORT)
			flush_motion(d);
		break;
	case EV_KEY:
		/* A button goes where this frame's motion so far has put the pointer. */
		if (pointer_button(e->code) >= 0)
			flush_motion(d);
		if (e->code < KEY_CNT)
			send_key(d, e->code, e->value != 0);
		break;
	case EV_REL:
		if (e->code == REL_X)
			d->dx = add_clamped(d->dx, e->value);
		else if (e->code == REL_Y)
			d->dy = add_clamped(d->dy, e->value);
		else if (e->code == REL_WHEEL) /* the hi-res events come with it; skip them */
			d->wheel = add_clamped(d->wheel, e->value);
		break;
	case EV_ABS:
		if (e->code == ABS_X || e->code == ABS_Y) {
			d->abs[e->code - ABS_X] = e->value;
			d->abs_moved = true;
		}
		break;
	default:
		break;
	}
}

static void schedule_retry(struct input *in);

/* The device went away (the VM was unbound, the daemon stopped): what it
 * held is released in QEMU, and it is looked for again. */
static void lose(struct device *d, int err)
{
	struct input *in = d->in;
	say(in, "action=input-lost device=%s path=%s why=\"%s\": its held keys released, "
		"looking for it every second", kind_names[d->kind], d->path,
	    err == -ENODEV ? "gone" : strerror(-err));
	release_all(d);
	d->io = sd_event_source_disable_unref(d->io);
	close(d->fd);
	d->fd = -1;
	d->told_missing = true;
	d->dropped = d->abs_moved = false;
	d->dx = d->dy = d->wheel = 0;
	schedule_retry(in);
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct device *d = userdata;
	struct input_event evs[64];
	for (int i = 0; i < READS_PER_WAKEUP && !d->in->paused; i++) {
		ssize_t n = read(fd, evs, sizeof(evs));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0 || n % (ssize_t)sizeof(evs[0]) != 0) {
			lose(d, n < 0 ? -errno : -EIO);
			return 0;
		}
		for (size_t k = 0; k < (size_t)n / sizeof(evs[0]); k++)
			handle(d, &evs[k]);
	}
	return 0;
}

static bool open_device(struct device *d)
{
	struct input *in = d->in;
	int fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (!d->told_missing)
			say(in, "action=input-missing device=%s path=%s why=\"%s\": trying again "
				"every second", kind_names[d->kind], d->path, strerror(errno));
		d->told_missing = true;
		return false;
	}
	memset(d->range, 0, sizeof(d->range));
	if (d->kind == TABLET) {
		for (int i = 0; i < 2; i++) {
			if (ioctl(fd, EVIOCGABS(ABS_X + i), &d->range[i]) < 0) {
				say(in, "action=no-abs-axes device=%s path=%s why=\"%s\": its motion "
					"is ignored", kind_names[d->kind], d->path, strerror(errno));
				memset(d->range, 0, sizeof(d->range));
				break;
			}
		}
	}
	int r = sd_event_add_io(in->ev, &d->io, fd, EPOLLIN, on_readable, d);
	if (r < 0) {
		say(in, "action=input-missing device=%s path=%s why=\"%s\"", kind_names[d->kind],
		    d->path, strerror(-r));
		close(fd);
		return false;
	}
	if (in->paused)
		sd_event_source_set_enabled(d->io, SD_EVENT_OFF);
	d->fd = fd;
	d->told_missing = false;
	memset(d->held, 0, sizeof(d->held));
	say(in, "action=input-open device=%s path=%s", kind_names[d->kind], d->path);
	return true;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct input *in = userdata;
	bool missing = false;
	for (int k = 0; k < KINDS; k++)
		if (in->dev[k].fd < 0 && !open_device(&in->dev[k]))
			missing = true;
	if (missing)
		schedule_retry(in);
	return 0;
}

static void schedule_retry(struct input *in)
{
	int r;
	if (!in->retry)
		r = sd_event_add_time_relative(in->ev, &in->retry, CLOCK_MONOTONIC, RETRY_USEC, 0,
					       on_retry, in);
	else if ((r = sd_event_source_set_time_relative(in->retry, RETRY_USEC)) >= 0)
		r = sd_event_source_set_enabled(in->retry, SD_EVENT_ONESHOT);
	if (r < 0)
		say(in, "action=input-retry-failed why=\"%s\": missing devices stay missing",
		    strerror(-r));
}

int input_new(sd_event *ev, sd_bus *bus, const char *dest, const char *console_path,
	      const char *input_dir, const char *vm, struct input **out)
{
	struct input *in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->ev = sd_event_ref(ev);
	in->bus = sd_bus_ref(bus);
	in->dest = dest ? strdup(dest) : NULL;
	in->path = strdup(console_path);
	in->vm = strdup(vm);
	int r = (dest && !in->dest) || !in->path || !in->vm ? -ENOMEM : 0;
	for (int k = 0; k < KINDS; k++) {
		struct device *d = &in->dev[k];
		d->in = in;
		d->kind = (enum kind)k;
		d->fd = -1;
		int n = snprintf(d->path, sizeof(d->path), "%s/%s-%s", input_dir, vm, kind_names[k]);
		if (r == 0 && (n < 0 || (size_t)n >= sizeof(d->path)))
			r = -ENAMETOOLONG;
	}
	for (int i = 0; i < IN_FLIGHT_MAX; i++)
		in->calls[i].in = in;
	if (r < 0) {
		input_free(in);
		return r;
	}
	bool missing = false;
	for (int k = 0; k < KINDS; k++)
		if (!open_device(&in->dev[k]))
			missing = true;
	if (missing)
		schedule_retry(in);
	*out = in;
	return 0;
}

void input_set_size(struct input *in, uint32_t width, uint32_t height)
{
	if (in->width != width || in->height != height)
		in->have_last = false; /* the relative fallback's reference is in old pixels */
	in->width = width;
	in->height = height;
}

struct input *input_free(struct input *in)
{
	if (!in)
		return NULL;
	for (int k = 0; k < KINDS; k++) {
		struct device *d = &in->dev[k];
		if (d->fd >= 0 && in->bus)
			release_all(d);
		d->io = sd_event_source_disable_unref(d->io);
		if (d->fd >= 0)
			close(d->fd);
	}
	/* Cancels the replies still awaited: their callbacks would find us gone. */
	for (int i = 0; i < IN_FLIGHT_MAX; i++)
		in->calls[i].slot = sd_bus_slot_unref(in->calls[i].slot);
	in->retry = sd_event_source_disable_unref(in->retry);
	sd_bus_unref(in->bus);
	sd_event_unref(in->ev);
	free(in->dest);
	free(in->path);
	free(in->vm);
	free(in);
	return NULL;
}
