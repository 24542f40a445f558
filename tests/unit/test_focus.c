/* SPDX-License-Identifier: MIT */
/* The focus state machine: which VM gets a key, hotkeys, no stuck keys. */
#include <linux/input-event-codes.h>
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "daemon/input/focus.h"

/* Everything the machine emitted, as text: "0+30 0-30 >1" is vm 0 pressed
 * and released KEY_A, then focus moved to vm 1 ("h" for the host). */
static char out[4096];

static void add(const char *s)
{
	size_t n = strlen(out);
	snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", s);
}

static void on_emit(void *data, int vm, uint16_t code, bool pressed)
{
	char s[32];
	snprintf(s, sizeof(s), "%d%c%u", vm, pressed ? '+' : '-', code);
	add(s);
}

static void on_changed(void *data, int from, int to)
{
	char s[32];
	if (to == FOCUS_HOST)
		snprintf(s, sizeof(s), ">h");
	else
		snprintf(s, sizeof(s), ">%d", to);
	add(s);
}

static const struct focus_ops ops = { on_emit, on_changed };

#define EXPECT(s)                        \
	do {                             \
		CHECK_EQ_STR(out, s);    \
		out[0] = '\0';           \
	} while (0)

static void tap(struct focus *f, uint16_t code)
{
	focus_key(f, code, true);
	focus_key(f, code, false);
}

/* ctrl+alt+right next, ctrl+alt+left prev, ctrl+alt+f12 release, super+2 focuses vm 2. */
static struct focus *three_vms(void)
{
	struct focus *f = focus_create(3, &ops, NULL);
	CHECK(f);
	struct config_hotkey h;
	CHECK_EQ_INT(config_hotkey_parse("ctrl+alt+right", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_NEXT, 0), 0);
	CHECK_EQ_INT(config_hotkey_parse("ctrl+alt+left", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_PREV, 0), 0);
	CHECK_EQ_INT(config_hotkey_parse("ctrl+alt+f12", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_RELEASE, 0), 0);
	CHECK_EQ_INT(config_hotkey_parse("super+2", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_TO_VM, 2), 0);
	out[0] = '\0';
	return f;
}

static void hotkey(struct focus *f, uint16_t mod1, uint16_t mod2, uint16_t key)
{
	focus_key(f, mod1, true);
	if (mod2)
		focus_key(f, mod2, true);
	focus_key(f, key, true);
	focus_key(f, key, false);
	if (mod2)
		focus_key(f, mod2, false);
	focus_key(f, mod1, false);
}

static void keys_go_to_first_vm(void)
{
	struct focus *f = three_vms();
	CHECK_EQ_INT(focus_current(f), 0);
	tap(f, KEY_A);
	EXPECT("0+30 0-30");
	focus_key(f, BTN_LEFT, true);
	focus_key(f, BTN_LEFT, false);
	EXPECT("0+272 0-272");
	focus_destroy(f);
}

static void modifiers_are_held_until_the_next_key(void)
{
	struct focus *f = three_vms();
	focus_key(f, KEY_LEFTCTRL, true);
	CHECK_EQ_STR(out, "");
	focus_key(f, KEY_C, true);
	EXPECT("0+29 0+46");
	focus_key(f, KEY_C, false);
	focus_key(f, KEY_LEFTCTRL, false);
	EXPECT("0-46 0-29");
	/* A modifier alone still reaches the VM, when it is let go. */
	tap(f, KEY_LEFTMETA);
	EXPECT("0+125 0-125");
	/* ctrl+click: motion or a button flushes the modifier first. */
	focus_key(f, KEY_RIGHTCTRL, true);
	focus_flush(f);
	EXPECT("0+97");
	focus_key(f, KEY_RIGHTCTRL, false);
	EXPECT("0-97");
	focus_destroy(f);
}

static void hotkey_keys_reach_no_vm(void)
{
	struct focus *f = three_vms();
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHT);
	EXPECT(">1");
	CHECK_EQ_INT(focus_current(f), 1);
	tap(f, KEY_B);
	EXPECT("1+48 1-48");
	/* The right-hand modifiers count too; prev goes back. */
	hotkey(f, KEY_RIGHTCTRL, KEY_RIGHTALT, KEY_LEFT);
	EXPECT(">0");
	/* Extra modifiers make another combination: ctrl+alt+shift+right is the VM's. */
	focus_key(f, KEY_LEFTCTRL, true);
	focus_key(f, KEY_LEFTALT, true);
	focus_key(f, KEY_LEFTSHIFT, true);
	focus_key(f, KEY_RIGHT, true);
	EXPECT("0+29 0+42 0+56 0+106");
	focus_destroy(f);
}

static void held_key_is_released_on_the_old_vm(void)
{
	struct focus *f = three_vms();
	focus_key(f, KEY_X, true);
	focus_key(f, BTN_RIGHT, true);
	EXPECT("0+45 0+273");
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHT);
	EXPECT("0-45 0-273 >1");
	/* Their physical release afterwards goes nowhere. */
	focus_key(f, KEY_X, false);
	focus_key(f, BTN_RIGHT, false);
	EXPECT("");
	/* A modifier that reached vm 1 (ctrl+click) and then starts a hotkey
	 * is released there too. */
	focus_key(f, KEY_LEFTCTRL, true);
	focus_flush(f);
	EXPECT("1+29");
	focus_key(f, KEY_LEFTALT, true);
	focus_key(f, KEY_RIGHT, true);
	EXPECT("1-29 >2");
	focus_key(f, KEY_RIGHT, false);
	focus_key(f, KEY_LEFTALT, false);
	focus_key(f, KEY_LEFTCTRL, false);
	EXPECT("");
	/* With shift down, super+2 is another combination: the VM's. */
	focus_key(f, KEY_LEFTSHIFT, true);
	focus_key(f, KEY_LEFTMETA, true);
	focus_key(f, KEY_2, true);
	EXPECT("2+42 2+125 2+3");
	focus_destroy(f);
}

static void next_prev_wrap_and_host(void)
{
	struct focus *f = three_vms();
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFT);
	EXPECT(">2");
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHT);
	EXPECT(">0");
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_F12);
	EXPECT(">h");
	CHECK_EQ_INT(focus_current(f), FOCUS_HOST);
	tap(f, KEY_A);
	focus_key(f, KEY_LEFTCTRL, true);
	focus_flush(f);
	focus_key(f, KEY_LEFTCTRL, false);
	EXPECT("");
	/* Releasing again changes nothing. */
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_F12);
	EXPECT("");
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHT);
	EXPECT(">0");
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_F12);
	hotkey(f, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFT);
	EXPECT(">h >2");
	/* Focusing the VM that has it is no change. */
	hotkey(f, KEY_LEFTMETA, 0, KEY_2);
	EXPECT("");
	focus_set(f, 7);
	EXPECT("");
	focus_destroy(f);
}

static void bad_hotkeys(void)
{
	struct focus *f = three_vms();
	struct config_hotkey h;
	CHECK_EQ_INT(config_hotkey_parse("alt+ctrl+right", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_RELEASE, 0), -EEXIST);
	CHECK_EQ_INT(config_hotkey_parse("super+3", &h), 0);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_TO_VM, 3), -EINVAL);
	CHECK_EQ_INT(focus_add_hotkey(f, &h, FOCUS_TO_VM, -1), -EINVAL);
	focus_destroy(f);
}

/* The seat is taken away with keys down: each is released where it went,
 * a held-back modifier reaches nobody, and nothing is released twice. */
static void release_all_on_seat_loss(void)
{
	struct focus *f = three_vms();
	focus_key(f, KEY_A, true);
	EXPECT("0+30");
	focus_set(f, 1);
	EXPECT("0-30 >1");
	focus_key(f, KEY_B, true);
	focus_key(f, KEY_LEFTCTRL, true);
	EXPECT("1+48");
	focus_release_all(f);
	EXPECT("1-48");
	focus_key(f, KEY_B, false);
	focus_key(f, KEY_LEFTCTRL, false);
	focus_key(f, KEY_A, false);
	EXPECT("");
	CHECK_EQ_INT(focus_current(f), 1);
	tap(f, KEY_C);
	EXPECT("1+46 1-46");
	focus_destroy(f);
}

static void no_vms_no_hotkeys(void)
{
	struct focus *f = focus_create(0, &ops, NULL);
	CHECK(f);
	CHECK_EQ_INT(focus_current(f), FOCUS_HOST);
	tap(f, KEY_A);
	EXPECT("");
	focus_destroy(f);
	/* Without hotkeys nothing is held back. */
	f = focus_create(1, &ops, NULL);
	focus_key(f, KEY_LEFTCTRL, true);
	EXPECT("0+29");
	focus_destroy(f);
	focus_destroy(NULL);
}

static const struct test_case cases[] = {
	{ "keys_go_to_first_vm", keys_go_to_first_vm },
	{ "release_all_on_seat_loss", release_all_on_seat_loss },
	{ "modifiers_are_held_until_the_next_key", modifiers_are_held_until_the_next_key },
	{ "hotkey_keys_reach_no_vm", hotkey_keys_reach_no_vm },
	{ "held_key_is_released_on_the_old_vm", held_key_is_released_on_the_old_vm },
	{ "next_prev_wrap_and_host", next_prev_wrap_and_host },
	{ "bad_hotkeys", bad_hotkeys },
	{ "no_vms_no_hotkeys", no_vms_no_hotkeys },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
