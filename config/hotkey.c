/* Key combinations for seat hotkeys: only names the input layer knows. */
#include "config/hotkey.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const modifiers[] = { "ctrl", "alt", "shift", "super" };
static const char *const named_keys[] = { "left", "right", "up", "down", "esc",
					  "tab",  "space", "enter" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool in(const char *part, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncasecmp(part, names[i], len) == 0)
			return true;
	return false;
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
