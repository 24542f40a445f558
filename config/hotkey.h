#pragma once
#include <stdbool.h>
#include <stddef.h>

/* A hotkey as written in a seat: modifiers (ctrl, alt, shift, super)
 * joined by '+' to one key ("ctrl+alt+right"), any case. On a bad combo,
 * false with the reason written to why. */
bool config_hotkey_check(const char *combo, char *why, size_t why_size);
