/* SPDX-License-Identifier: MIT */
/* directflip-qemu's key table: evdev codes to QEMU key numbers (qnum). */
#include <errno.h>
#include <linux/input-event-codes.h>

#include "check.h"
#include "qemu/keymap.h"

/* Past the last key code (KEY_MAX is the last one an evdev device has). */
#define CODES (KEY_MAX + 1)

static void spot_values(void)
{
	CHECK_EQ_INT(keymap_qnum(KEY_ESC), 0x01);
	CHECK_EQ_INT(keymap_qnum(KEY_A), 0x1e);
	CHECK_EQ_INT(keymap_qnum(KEY_ENTER), 0x1c);
	CHECK_EQ_INT(keymap_qnum(KEY_KPENTER), 0x9c);
	CHECK_EQ_INT(keymap_qnum(KEY_UP), 0xc8);
	CHECK_EQ_INT(keymap_qnum(KEY_DOWN), 0xd0);
	CHECK_EQ_INT(keymap_qnum(KEY_RIGHTCTRL), 0x9d);
	CHECK_EQ_INT(keymap_qnum(KEY_RIGHTALT), 0xb8);
	CHECK_EQ_INT(keymap_qnum(KEY_RIGHTSHIFT), 0x36);
	CHECK_EQ_INT(keymap_qnum(KEY_LEFTMETA), 0xdb);
	CHECK_EQ_INT(keymap_qnum(KEY_RIGHTMETA), 0xdc);
	CHECK_EQ_INT(keymap_qnum(KEY_COMPOSE), 0xdd);
	CHECK_EQ_INT(keymap_qnum(KEY_KPSLASH), 0xb5);
	CHECK_EQ_INT(keymap_qnum(KEY_KPASTERISK), 0x37);
	CHECK_EQ_INT(keymap_qnum(KEY_SYSRQ), 0x54);
	CHECK_EQ_INT(keymap_qnum(KEY_PAUSE), 0xc6);
	CHECK_EQ_INT(keymap_qnum(KEY_102ND), 0x56);
	CHECK_EQ_INT(keymap_qnum(KEY_F11), 0x57);
	CHECK_EQ_INT(keymap_qnum(KEY_F12), 0x58);
	CHECK_EQ_INT(keymap_qnum(KEY_DELETE), 0xd3);
	CHECK_EQ_INT(keymap_qnum(KEY_MUTE), 0xa0);
	CHECK_EQ_INT(keymap_qnum(KEY_RO), 0x73);
	CHECK_EQ_INT(keymap_qnum(KEY_HANGEUL), 0xf2);
}

static void letters_digits_and_fkeys_mapped(void)
{
	static const uint16_t keys[] = {
		KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J,
		KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T,
		KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
		KEY_0, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9,
		KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7,
		KEY_KP8, KEY_KP9,
		KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9,
		KEY_F10, KEY_F11, KEY_F12, KEY_F13, KEY_F14, KEY_F15, KEY_F16, KEY_F17,
		KEY_F18, KEY_F19, KEY_F20, KEY_F21, KEY_F22, KEY_F23, KEY_F24,
		KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTALT,
		KEY_RIGHTALT, KEY_LEFTMETA, KEY_RIGHTMETA, KEY_MENU, KEY_COMPOSE,
		KEY_HOME, KEY_END, KEY_PAGEUP, KEY_PAGEDOWN, KEY_INSERT, KEY_LEFT, KEY_RIGHT,
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int q = keymap_qnum(keys[i]);
		if (q <= 0 || q > 0xff) {
			fprintf(stderr, "evdev code %u: qnum %d\n", keys[i], q);
			CHECK(0);
		}
	}
	/* The letters row by row, as set 1 lays them out. */
	CHECK_EQ_INT(keymap_qnum(KEY_Q), 0x10);
	CHECK_EQ_INT(keymap_qnum(KEY_P), 0x19);
	CHECK_EQ_INT(keymap_qnum(KEY_L), 0x26);
	CHECK_EQ_INT(keymap_qnum(KEY_Z), 0x2c);
	CHECK_EQ_INT(keymap_qnum(KEY_M), 0x32);
	for (int f = 0; f < 10; f++)
		CHECK_EQ_INT(keymap_qnum((uint16_t)(KEY_F1 + f)), 0x3b + f);
}

static void no_qnum_twice(void)
{
	int owner[256];
	for (int q = 0; q < 256; q++)
		owner[q] = -1;
	int mapped = 0;
	for (int code = 0; code < CODES; code++) {
		int q = keymap_qnum((uint16_t)code);
		if (q == -ENOENT)
			continue;
		CHECK(q > 0 && q < 256);
		if (owner[q] >= 0) {
			fprintf(stderr, "qnum 0x%02x: evdev %d and %d\n", q, owner[q], code);
			CHECK(0);
		}
		owner[q] = code;
		mapped++;
	}
	/* QEMU's own map covers 159 Linux keys; a shorter table lost some. */
	CHECK_EQ_INT(mapped, 159);
}

static void unmapped_is_enoent(void)
{
	CHECK_EQ_INT(keymap_qnum(KEY_RESERVED), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(84), -ENOENT); /* a hole in the evdev numbering */
	CHECK_EQ_INT(keymap_qnum(KEY_ZENKAKUHANKAKU), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(KEY_MACRO), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(BTN_LEFT), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(KEY_OK), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(KEY_MAX), -ENOENT);
	CHECK_EQ_INT(keymap_qnum(0xffff), -ENOENT);
}

static const struct test_case cases[] = {
	{ "spot_values", spot_values },
	{ "letters_digits_and_fkeys_mapped", letters_digits_and_fkeys_mapped },
	{ "no_qnum_twice", no_qnum_twice },
	{ "unmapped_is_enoent", unmapped_is_enoent },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
