/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A hotkey as written in a seat: modifiers (ctrl, alt, shift, super)
 * joined by '+' to one key ("ctrl+alt+right"), any case. On a bad combo,
 * false with the reason written to why. */
bool config_hotkey_check(const char *combo, char *why, size_t why_size);

/* Modifier bits of a parsed hotkey; either side's key counts. */
enum {
	CONFIG_MOD_CTRL = 1 << 0,
	CONFIG_MOD_ALT = 1 << 1,
	CONFIG_MOD_SHIFT = 1 << 2,
	CONFIG_MOD_SUPER = 1 << 3,
};

struct config_hotkey {
	unsigned mods;     /* CONFIG_MOD_* */
	uint16_t key;      /* a KEY_* code from linux/input-event-codes.h */
};

/* -EINVAL for a combo config_hotkey_check refuses. */
int config_hotkey_parse(const char *combo, struct config_hotkey *out);
