/* SPDX-License-Identifier: MIT */
/*
 * Guest-side input test and latency benchmark (tests/vm/scenarios/scenario-input.sh,
 * tests/bench/input-latency.sh). It plays the user: its "physical"
 * keyboard and mouse are uinput devices, a simulation of real ones, which
 * directflipd picks up like any other. It reads what reaches each VM's
 * virtual devices with libevdev.
 *
 *   input-check scenario VM1-KBD VM1-PTR VM2-KBD VM2-PTR
 *   input-check bench N VM1-KBD
 *   input-check reaches VM-KBD      (a new simulated keyboard's keys get there)
 *   input-check follows VM1-KBD VM2-KBD  (vm1's monitor left of vm2's)
 *   input-check seat-switch VM1-KBD (a VT switch away and back, driven
 *                                    through stdin/stdout by the script)
 *   input-check tap VM-KBD esc|down (one key, once the keyboard is forwarded)
 *
 * The seat's hotkeys must be ctrl+alt+right (next), ctrl+alt+1 (focus vm1)
 * and ctrl+alt+f12 (release), and vm1 must have the focus at the start.
 */
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the VMs' side ---- */

struct reader {
	const char *what;
	struct libevdev *dev;
	int fd;
};

static void reader_open(struct reader *r, const char *what, const char *path)
{
	r->what = what;
	r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0)
		die("%s: cannot open %s: %s", what, path, strerror(errno));
	int e = libevdev_new_from_fd(r->fd, &r->dev);
	if (e < 0)
		die("%s: libevdev on %s: %s", what, path, strerror(-e));
	/* Timestamps comparable with CLOCK_MONOTONIC, for the benchmark. */
	libevdev_set_clock_id(r->dev, CLOCK_MONOTONIC);
}

static void reader_close(struct reader *r)
{
	libevdev_free(r->dev);
	close(r->fd);
}

/* The next event other than SYN, waiting at most timeout_ms; false on timeout. */
static bool next_event(struct reader *r, int timeout_ms, struct input_event *out)
{
	int64_t end = now_us() + (int64_t)timeout_ms * 1000;
	for (;;) {
		struct input_event ev;
		int rc = libevdev_next_event(r->dev, LIBEVDEV_READ_FLAG_NORMAL, &ev);
		if (rc == LIBEVDEV_READ_STATUS_SYNC)
			die("%s: events were dropped (SYN_DROPPED)", r->what);
		if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
			if (ev.type == EV_SYN || ev.type == EV_MSC)
				continue;
			*out = ev;
			return true;
		}
		if (rc != -EAGAIN)
			die("%s: read: %s", r->what, strerror(-rc));
		int64_t left = end - now_us();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		poll(&p, 1, (int)((left + 999) / 1000));
	}
}

static const char *ev_name(const struct input_event *ev, char *buf, size_t n)
{
	const char *code = libevdev_event_code_get_name(ev->type, ev->code);
	snprintf(buf, n, "%s %d", code ? code : "?", ev->value);
	return buf;
}

/* Nothing arrives at r within ms. */
static void expect_quiet(struct reader *r, int ms, const char *when)
{
	struct input_event ev;
	char b[64];
	if (next_event(r, ms, &ev))
		die("%s got %s %s", r->what, ev_name(&ev, b, sizeof(b)), when);
}

/* Exactly these (type, code, value) triples arrive at r, in order. */
static void expect_seq(struct reader *r, const int (*want)[3], size_t n, const char *when)
{
	char b[64], w[64];
	for (size_t i = 0; i < n; i++) {
		struct input_event ev;
		struct input_event exp = { .type = (uint16_t)want[i][0], .code = (uint16_t)want[i][1],
					   .value = want[i][2] };
		if (!next_event(r, 3000, &ev))
			die("%s: %s: wanted %s, got nothing", r->what, when,
			    ev_name(&exp, w, sizeof(w)));
		if (ev.type != exp.type || ev.code != exp.code || ev.value != exp.value)
			die("%s: %s: wanted %s, got %s", r->what, when, ev_name(&exp, w, sizeof(w)),
			    ev_name(&ev, b, sizeof(b)));
	}
}

static void drain(struct reader *r)
{
	struct input_event ev;
	while (next_event(r, 300, &ev))
		;
}

/* ---- the user's side ---- */

static struct libevdev_uinput *make_keyboard(void)
{
	struct libevdev *d = libevdev_new();
	libevdev_set_name(d, "df-test physical keyboard");
	libevdev_set_id_bustype(d, BUS_USB);
	libevdev_enable_event_type(d, EV_KEY);
	for (unsigned k = KEY_ESC; k <= KEY_MICMUTE; k++)
		libevdev_enable_event_code(d, EV_KEY, k, NULL);
	struct libevdev_uinput *u;
	int e = libevdev_uinput_create_from_device(d, LIBEVDEV_UINPUT_OPEN_MANAGED, &u);
	libevdev_free(d);
	if (e < 0)
		die("cannot create the simulated keyboard: %s", strerror(-e));
	return u;
}

static struct libevdev_uinput *make_mouse(void)
{
	struct libevdev *d = libevdev_new();
	libevdev_set_name(d, "df-test physical mouse");
	libevdev_set_id_bustype(d, BUS_USB);
	libevdev_enable_event_type(d, EV_KEY);
	libevdev_enable_event_code(d, EV_KEY, BTN_LEFT, NULL);
	libevdev_enable_event_code(d, EV_KEY, BTN_RIGHT, NULL);
	libevdev_enable_event_code(d, EV_KEY, BTN_MIDDLE, NULL);
	libevdev_enable_event_type(d, EV_REL);
	libevdev_enable_event_code(d, EV_REL, REL_X, NULL);
	libevdev_enable_event_code(d, EV_REL, REL_Y, NULL);
	libevdev_enable_event_code(d, EV_REL, REL_WHEEL, NULL);
	struct libevdev_uinput *u;
	int e = libevdev_uinput_create_from_device(d, LIBEVDEV_UINPUT_OPEN_MANAGED, &u);
	libevdev_free(d);
	if (e < 0)
		die("cannot create the simulated mouse: %s", strerror(-e));
	return u;
}

static void emit(struct libevdev_uinput *u, unsigned type, unsigned code, int value)
{
	if (libevdev_uinput_write_event(u, type, code, value) < 0 ||
	    libevdev_uinput_write_event(u, EV_SYN, SYN_REPORT, 0) < 0)
		die("cannot write to a simulated device");
}

static void key(struct libevdev_uinput *u, unsigned code, bool down)
{
	emit(u, EV_KEY, code, down);
}

static void tap(struct libevdev_uinput *u, unsigned code)
{
	key(u, code, true);
	key(u, code, false);
}

static void hotkey(struct libevdev_uinput *u, unsigned k)
{
	key(u, KEY_LEFTCTRL, true);
	key(u, KEY_LEFTALT, true);
	tap(u, k);
	key(u, KEY_LEFTALT, false);
	key(u, KEY_LEFTCTRL, false);
}

/* Taps `code` until r sees it: the daemon picks new devices up from udev. */
static void wait_forwarding(struct libevdev_uinput *kbd, struct reader *r, unsigned code,
			    const char *when)
{
	int64_t end = now_us() + 30 * 1000000LL;
	struct input_event ev;
	while (now_us() < end) {
		tap(kbd, code);
		while (next_event(r, 300, &ev))
			if (ev.type == EV_KEY && ev.code == code && ev.value == 0)
				return;
	}
	die("%s: keys from the simulated keyboard never reached %s", when, r->what);
}


#define N3(a) (sizeof(a) / sizeof((a)[0]))
#define EXPECT(r, when, ...)                                                      \
	do {                                                                      \
		static const int want_[][3] = { __VA_ARGS__ };                    \
		expect_seq((r), want_, N3(want_), (when));                        \
	} while (0)

static int scenario(char **argv)
{
	struct reader k1, p1, k2, p2;
	reader_open(&k1, "vm1 keyboard", argv[0]);
	reader_open(&p1, "vm1 pointer", argv[1]);
	reader_open(&k2, "vm2 keyboard", argv[2]);
	reader_open(&p2, "vm2 pointer", argv[3]);
	struct libevdev_uinput *kbd = make_keyboard();
	struct libevdev_uinput *mouse = make_mouse();

	wait_forwarding(kbd, &k1, KEY_A, "start");
	drain(&k1);
	expect_quiet(&k2, 200, "while vm1 has the focus");

	const char *word = "hello";
	static const unsigned codes[] = { KEY_H, KEY_E, KEY_L, KEY_L, KEY_O };
	for (size_t i = 0; i < 5; i++)
		tap(kbd, codes[i]);
	EXPECT(&k1, "typing hello", { EV_KEY, KEY_H, 1 }, { EV_KEY, KEY_H, 0 }, { EV_KEY, KEY_E, 1 },
	       { EV_KEY, KEY_E, 0 }, { EV_KEY, KEY_L, 1 }, { EV_KEY, KEY_L, 0 },
	       { EV_KEY, KEY_L, 1 }, { EV_KEY, KEY_L, 0 }, { EV_KEY, KEY_O, 1 },
	       { EV_KEY, KEY_O, 0 });
	expect_quiet(&k2, 300, "while typing to vm1");
	printf("ok: '%s' typed on the simulated keyboard arrived on vm1's device only\n", word);

	/* The mouse: wait for it the same way, with a button. */
	int64_t end = now_us() + 30 * 1000000LL;
	struct input_event ev;
	bool seen = false;
	while (!seen && now_us() < end) {
		emit(mouse, EV_KEY, BTN_MIDDLE, 1);
		emit(mouse, EV_KEY, BTN_MIDDLE, 0);
		while (next_event(&p1, 300, &ev))
			seen |= ev.type == EV_KEY && ev.code == BTN_MIDDLE && ev.value == 0;
	}
	if (!seen)
		die("the simulated mouse never reached vm1's pointer");
	drain(&p1);
	emit(mouse, EV_REL, REL_X, 7);
	emit(mouse, EV_REL, REL_Y, -3);
	emit(mouse, EV_KEY, BTN_LEFT, 1);
	emit(mouse, EV_KEY, BTN_LEFT, 0);
	/* libinput's debouncing may hold a quick release back a few ms. */
	usleep(100 * 1000);
	emit(mouse, EV_REL, REL_WHEEL, 1);
	EXPECT(&p1, "mouse", { EV_REL, REL_X, 7 }, { EV_REL, REL_Y, -3 }, { EV_KEY, BTN_LEFT, 1 },
	       { EV_KEY, BTN_LEFT, 0 }, { EV_REL, REL_WHEEL_HI_RES, 120 }, { EV_REL, REL_WHEEL, 1 });
	expect_quiet(&p2, 300, "while vm1 has the focus");
	printf("ok: unaccelerated motion, buttons and wheel arrived on vm1's pointer only\n");

	/* x is held while the hotkey moves the focus. */
	key(kbd, KEY_X, true);
	EXPECT(&k1, "holding x", { EV_KEY, KEY_X, 1 });
	hotkey(kbd, KEY_RIGHT);
	EXPECT(&k1, "ctrl+alt+right with x held", { EV_KEY, KEY_X, 0 });
	expect_quiet(&k1, 500, "after x was released on the focus change");
	key(kbd, KEY_X, false);
	expect_quiet(&k2, 500, "from the hotkey or x's release");
	printf("ok: the held x was released on vm1; the hotkey's keys reached no VM\n");

	tap(kbd, KEY_B);
	EXPECT(&k2, "typing b after the hotkey", { EV_KEY, KEY_B, 1 }, { EV_KEY, KEY_B, 0 });
	expect_quiet(&k1, 300, "after the focus moved to vm2");
	printf("ok: after ctrl+alt+right keys arrive on vm2 only\n");

	/* Unplug the keyboard and plug it back. */
	libevdev_uinput_destroy(kbd);
	usleep(300 * 1000);
	kbd = make_keyboard();
	wait_forwarding(kbd, &k2, KEY_C, "after the keyboard came back");
	expect_quiet(&k1, 300, "after the replug");
	drain(&k2);
	printf("ok: the keyboard was unplugged and plugged back; keys reach vm2 again\n");

	hotkey(kbd, KEY_1);
	tap(kbd, KEY_D);
	EXPECT(&k1, "typing d after ctrl+alt+1", { EV_KEY, KEY_D, 1 }, { EV_KEY, KEY_D, 0 });
	expect_quiet(&k2, 300, "after ctrl+alt+1 focused vm1");
	printf("ok: ctrl+alt+1 (hotkey.focus.vm1) gave vm1 the focus\n");

	hotkey(kbd, KEY_F12);
	tap(kbd, KEY_E);
	emit(mouse, EV_REL, REL_X, 5);
	expect_quiet(&k1, 300, "after ctrl+alt+f12 released input to the host");
	expect_quiet(&k2, 300, "after ctrl+alt+f12 released input to the host");
	expect_quiet(&p1, 100, "after ctrl+alt+f12 released input to the host");
	printf("ok: after ctrl+alt+f12 nothing reaches a VM\n");

	libevdev_uinput_destroy(kbd);
	libevdev_uinput_destroy(mouse);
	reader_close(&k1);
	reader_close(&p1);
	reader_close(&k2);
	reader_close(&p2);
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Physical event written (t0 just before the write) to the VM's event's
 * kernel timestamp, which the daemon's uinput write sets. */
static int bench(char **argv)
{
	char *endp;
	errno = 0;
	long n = strtol(argv[0], &endp, 10);
	if (errno || *endp || n < 10 || n > 1000000)
		die("bench: N '%s' is not a number from 10 to 1000000", argv[0]);
	struct reader k1;
	reader_open(&k1, "vm1 keyboard", argv[1]);
	struct libevdev_uinput *kbd = make_keyboard();
	wait_forwarding(kbd, &k1, KEY_A, "start");
	drain(&k1);
	int64_t *lat = calloc((size_t)n, sizeof(*lat));
	if (!lat)
		die("out of memory");
	for (long i = 0; i < n; i++) {
		bool down = (i % 2) == 0;
		int64_t t0 = now_us();
		key(kbd, KEY_A, down);
		struct input_event ev;
		if (!next_event(&k1, 5000, &ev))
			die("bench: event %ld never arrived", i);
		if (ev.type != EV_KEY || ev.code != KEY_A || ev.value != down)
			die("bench: event %ld is not KEY_A %d", i, down);
		lat[i] = (int64_t)ev.input_event_sec * 1000000 + ev.input_event_usec - t0;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp64);
	printf("input latency over %ld events: median %lld us, p99 %lld us, max %lld us\n", n,
	       (long long)lat[n / 2], (long long)lat[(n * 99) / 100], (long long)lat[n - 1]);
	free(lat);
	libevdev_uinput_destroy(kbd);
	reader_close(&k1);
	return 0;
}

/* Moves the mouse by dx until a tapped key lands on `to`; -1 if it never does. */
static int move_until(struct libevdev_uinput *mouse, struct libevdev_uinput *kbd, int dx,
		      struct reader *to, struct reader *other)
{
	struct input_event ev;
	char b[64];
	for (int i = 0; i < 200; i++) {
		emit(mouse, EV_REL, REL_X, dx);
		tap(kbd, KEY_Z);
		if (next_event(to, 200, &ev)) {
			drain(to);
			drain(other);
			return i + 1;
		}
		if (next_event(other, 0, &ev) && !(ev.type == EV_KEY && ev.code == KEY_Z))
			die("%s got %s while the pointer moved", other->what, ev_name(&ev, b, sizeof(b)));
		drain(other);
	}
	return -1;
}

static int follows(char **argv)
{
	struct reader k1, k2;
	reader_open(&k1, "vm1 keyboard", argv[0]);
	reader_open(&k2, "vm2 keyboard", argv[1]);
	struct libevdev_uinput *kbd = make_keyboard();
	struct libevdev_uinput *mouse = make_mouse();
	wait_forwarding(kbd, &k1, KEY_A, "start");
	drain(&k1);
	int n = move_until(mouse, kbd, 50, &k2, &k1);
	if (n < 0)
		die("moving the pointer right never gave vm2 the focus");
	printf("ok: moving the pointer right gave vm2 the focus (%d moves of 50)\n", n);
	n = move_until(mouse, kbd, -50, &k1, &k2);
	if (n < 0)
		die("moving the pointer back left never gave vm1 the focus");
	/* The pointer crossed a few pixels into vm2's monitor and stays there:
	 * one move back crosses again. */
	if (n != 1)
		die("moving back left took %d moves of 50, wanted 1: the pointer jumped", n);
	printf("ok: one move back left gave vm1 the focus\n");
	/* The hotkey takes the pointer to vm2's monitor: a small move left stays there. */
	hotkey(kbd, KEY_RIGHT);
	emit(mouse, EV_REL, REL_X, -20);
	tap(kbd, KEY_Y);
	EXPECT(&k2, "after ctrl+alt+right and a small move", { EV_KEY, KEY_Y, 1 }, { EV_KEY, KEY_Y, 0 });
	expect_quiet(&k1, 300, "after ctrl+alt+right and a small move");
	printf("ok: after ctrl+alt+right a small move keeps vm2 the focus (the pointer moved along)\n");
	libevdev_uinput_destroy(kbd);
	libevdev_uinput_destroy(mouse);
	reader_close(&k1);
	reader_close(&k2);
	return 0;
}

/* Waits for a line on stdin: the script's go-ahead for the next step. */
static void wait_line(const char *what)
{
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		die("no '%s' from the script", what);
}

/* Waits for code's release on r, skipping autorepeats. */
static void expect_release(struct reader *r, unsigned code, const char *when)
{
	struct input_event ev;
	char b[64];
	int64_t end = now_us() + 5 * 1000000LL;
	while (now_us() < end && next_event(r, 500, &ev)) {
		if (ev.type == EV_KEY && ev.code == code && ev.value == 2)
			continue;
		if (ev.type == EV_KEY && ev.code == code && ev.value == 0)
			return;
		die("%s: %s: got %s", r->what, when, ev_name(&ev, b, sizeof(b)));
	}
	die("%s: %s: no release", r->what, when);
}

/* The seat goes away (VT switch) with a key down and comes back; the script
 * switches when told "held" and answers "away", then "back". */
static int seat_switch(const char *path)
{
	struct reader r;
	reader_open(&r, "vm1's keyboard", path);
	struct libevdev_uinput *kbd = make_keyboard();
	wait_forwarding(kbd, &r, KEY_Z, "before the switch");
	drain(&r);
	key(kbd, KEY_A, true);
	EXPECT(&r, "a key pressed before the switch", { EV_KEY, KEY_A, 1 });
	printf("held\n");
	wait_line("away");
	expect_release(&r, KEY_A, "the seat went away with KEY_A down");
	tap(kbd, KEY_B);
	key(kbd, KEY_A, false);
	expect_quiet(&r, 1000, "while the seat is away");
	printf("typed\n");
	wait_line("back");
	wait_forwarding(kbd, &r, KEY_C, "after the seat came back");
	printf("ok\n");
	libevdev_uinput_destroy(kbd);
	reader_close(&r);
	return 0;
}

static int reaches(const char *path)
{
	struct reader r;
	reader_open(&r, "the VM keyboard", path);
	struct libevdev_uinput *kbd = make_keyboard();
	wait_forwarding(kbd, &r, KEY_Z, "reaches");
	libevdev_uinput_destroy(kbd);
	reader_close(&r);
	return 0;
}

/* One key tapped on the seat, for a VM that acts on it (a nested QEMU's
 * SeaBIOS): first left shift until it reaches VM-KBD (SeaBIOS ignores
 * shift), so that the one tap of the key is not lost while the daemon
 * is still picking the new keyboard up. */
static int tap_key(const char *path, const char *name)
{
	unsigned code = 0;
	if (strcmp(name, "esc") == 0)
		code = KEY_ESC;
	else if (strcmp(name, "down") == 0)
		code = KEY_DOWN;
	else
		die("tap: unknown key '%s' (esc, down)", name);
	struct reader r;
	reader_open(&r, "the VM keyboard", path);
	struct libevdev_uinput *kbd = make_keyboard();
	wait_forwarding(kbd, &r, KEY_LEFTSHIFT, "before the tap");
	drain(&r);
	tap(kbd, code);
	const int want[][3] = { { EV_KEY, (int)code, 1 }, { EV_KEY, (int)code, 0 } };
	expect_seq(&r, want, N3(want), "the tapped key");
	printf("ok: %s tapped on the simulated keyboard reached %s\n", name, path);
	libevdev_uinput_destroy(kbd);
	reader_close(&r);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && strcmp(argv[1], "scenario") == 0)
		return scenario(argv + 2);
	if (argc == 4 && strcmp(argv[1], "bench") == 0)
		return bench(argv + 2);
	if (argc == 3 && strcmp(argv[1], "reaches") == 0)
		return reaches(argv[2]);
	if (argc == 4 && strcmp(argv[1], "follows") == 0)
		return follows(argv + 2);
	if (argc == 3 && strcmp(argv[1], "seat-switch") == 0)
		return seat_switch(argv[2]);
	if (argc == 4 && strcmp(argv[1], "tap") == 0)
		return tap_key(argv[2], argv[3]);
	fprintf(stderr, "usage: input-check scenario VM1-KBD VM1-PTR VM2-KBD VM2-PTR\n"
			"       input-check bench N VM1-KBD\n"
			"       input-check reaches VM-KBD\n"
			"       input-check follows VM1-KBD VM2-KBD\n"
			"       input-check seat-switch VM1-KBD\n"
			"       input-check tap VM-KBD esc|down\n");
	return 2;
}
