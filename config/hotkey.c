/* SPDX-License-Identifier: MIT */
/* Key combinations for seat hotkeys: only names the input layer knows. */
#include "config/hotkey.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const modifiers[] = { "ctrl", "alt", "shift", "super" };
static const unsigned modifier_bits[] = { CONFIG_MOD_CTRL, CONFIG_MOD_ALT, CONFIG_MOD_SHIFT,
					   CONFIG_MOD_SUPER };
static const char *const named_keys[] = { "left", "right", "up", "down", "esc",
					  "tab",  "space", "enter" };
static const uint16_t named_codes[] = { KEY_LEFT, KEY_RIGHT, KEY_UP,    KEY_DOWN,
					KEY_ESC,  KEY_TAB,   KEY_SPACE, KEY_ENTER };
/* Key codes follow the US layout's positions, not the letters' order. */
static const uint16_t letter_codes[26] = {
	KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
	KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};
static const uint16_t digit_codes[10] = { KEY_0, KEY_1, KEY_2, KEY_3, KEY_4,
					  KEY_5, KEY_6, KEY_7, KEY_8, KEY_9 };
static const uint16_t fkey_codes[24] = {
	KEY_F1,  KEY_F2,  KEY_F3,  KEY_F4,  KEY_F5,  KEY_F6,  KEY_F7,  KEY_F8,
	KEY_F9,  KEY_F10, KEY_F11, KEY_F12, KEY_F13, KEY_F14, KEY_F15, KEY_F16,
	KEY_F17, KEY_F18, KEY_F19, KEY_F20, KEY_F21, KEY_F22, KEY_F23, KEY_F24,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The index of part in names, or -1. */
static int index_in(const char *part, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncasecmp(part, names[i], len) == 0)
			return (int)i;
	return -1;
}

static bool in(const char *part, size_t len, const char *const *names, size_t n)
{
	return index_in(part, len, names, n) >= 0;
}

/* A letter, a digit, f1..f24, or a named key. */
static bool is_key(const char *k, size_t len)
{
	if (len == 1)
		return (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') ||
		       (k[0] >= '0' && k[0] <= '9');
	if ((len == 2 || len == 3) && (k[0] == 'f' || k[0] == 'F') && k[1] >= '1' && k[1] <= '9') {
		unsigned v = (unsigned)(k[1] - '0');
		if (len == 3) {
			if (k[2] < '0' || k[2] > '9')
				return false;
			v = v * 10 + (unsigned)(k[2] - '0');
		}
		return v <= 24;
	}
	return in(k, len, named_keys, N(named_keys));
}

bool config_hotkey_check(const char *combo, char *why, size_t why_size)
{
	bool used[N(modifiers)] = { false };
	const char *part = combo;
	for (;;) {
		const char *plus = strchr(part, '+');
		size_t len = plus ? (size_t)(plus - part) : strlen(part);
		if (len == 0) {
			snprintf(why, why_size, "an empty part: join names with a single '+'");
			return false;
		}
		if (!plus) {
			if (is_key(part, len))
				return true;
			if (in(part, len, modifiers, N(modifiers)))
				snprintf(why, why_size, "it ends with the modifier '%.*s'; add a key",
					 (int)len, part);
			else
				snprintf(why, why_size, "'%.*s' is not a key name (a..z, 0..9, f1..f24, "
					 "left, right, up, down, esc, tab, space, enter)", (int)len, part);
			return false;
		}
		size_t m = 0;
		while (m < N(modifiers) && !in(part, len, &modifiers[m], 1))
			m++;
		if (m == N(modifiers)) {
			snprintf(why, why_size, "'%.*s' is not a modifier (ctrl, alt, shift, super)",
				 (int)len, part);
			return false;
		}
		if (used[m]) {
			snprintf(why, why_size, "'%s' is given twice", modifiers[m]);
			return false;
		}
		used[m] = true;
		part = plus + 1;
	}
}

/* The code of a key config_hotkey_check accepted. */
static uint16_t key_code(const char *k, size_t len)
{
	if (len == 1) {
		if (k[0] >= '0' && k[0] <= '9')
			return digit_codes[k[0] - '0'];
		return letter_codes[(k[0] | 0x20) - 'a'];
	}
	int named = index_in(k, len, named_keys, N(named_keys));
	if (named >= 0)
		return named_codes[named];
	unsigned v = (unsigned)(k[1] - '0');
	if (len == 3)
		v = v * 10 + (unsigned)(k[2] - '0');
	return fkey_codes[v - 1];
}

int config_hotkey_parse(const char *combo, struct config_hotkey *out)
{
	char why[160];
	if (!config_hotkey_check(combo, why, sizeof(why)))
		return -EINVAL;
	struct config_hotkey h = { 0 };
	const char *part = combo;
	const char *plus;
	while ((plus = strchr(part, '+'))) {
		h.mods |= modifier_bits[index_in(part, (size_t)(plus - part), modifiers, N(modifiers))];
		part = plus + 1;
	}
	h.key = key_code(part, strlen(part));
	*out = h;
	return 0;
}
