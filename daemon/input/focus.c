/* SPDX-License-Identifier: MIT */
#include "daemon/input/focus.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>

/* Where each key's press went, so that its release goes there too. */
enum {
	KEY_UP_ = -1,      /* not pressed */
	KEY_DROPPED = -2,  /* pressed, but no VM saw it (hotkey, host, released by a focus change) */
	KEY_HELD = -3,     /* a modifier held back until the next key says what it is for */
};

struct hotkey {
	struct config_hotkey keys;
	enum focus_action action;
	int vm;
};

struct focus {
	const struct focus_ops *ops;
	void *data;
	size_t n_vms;
	int current;
	struct hotkey hotkeys[FOCUS_MAX_HOTKEYS];
	size_t n_hotkeys;
	int16_t where[KEY_CNT];
};

static unsigned modifier_bit(uint16_t code)
{
	switch (code) {
	case KEY_LEFTCTRL:
	case KEY_RIGHTCTRL:
		return CONFIG_MOD_CTRL;
	case KEY_LEFTALT:
	case KEY_RIGHTALT:
		return CONFIG_MOD_ALT;
	case KEY_LEFTSHIFT:
	case KEY_RIGHTSHIFT:
		return CONFIG_MOD_SHIFT;
	case KEY_LEFTMETA:
	case KEY_RIGHTMETA:
		return CONFIG_MOD_SUPER;
	default:
		return 0;
	}
}

struct focus *focus_create(size_t n_vms, const struct focus_ops *ops, void *data)
{
	struct focus *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->data = data;
	f->n_vms = n_vms;
	f->current = n_vms ? 0 : FOCUS_HOST;
	for (size_t i = 0; i < KEY_CNT; i++)
		f->where[i] = KEY_UP_;
	return f;
}

void focus_destroy(struct focus *f)
{
	free(f);
}

int focus_add_hotkey(struct focus *f, const struct config_hotkey *keys, enum focus_action action,
		     int vm)
{
	if (keys->key >= KEY_CNT || (action == FOCUS_TO_VM && (vm < 0 || (size_t)vm >= f->n_vms)))
		return -EINVAL;
	for (size_t i = 0; i < f->n_hotkeys; i++)
		if (f->hotkeys[i].keys.key == keys->key && f->hotkeys[i].keys.mods == keys->mods)
			return -EEXIST;
	if (f->n_hotkeys == FOCUS_MAX_HOTKEYS)
		return -ENOSPC;
	f->hotkeys[f->n_hotkeys++] = (struct hotkey){ *keys, action, vm };
	return 0;
}

int focus_current(const struct focus *f)
{
	return f->current;
}

static void send(struct focus *f, uint16_t code, bool pressed)
{
	if (f->current == FOCUS_HOST) {
		f->where[code] = pressed ? KEY_DROPPED : KEY_UP_;
		return;
	}
	f->where[code] = pressed ? (int16_t)f->current : KEY_UP_;
	f->ops->emit(f->data, f->current, code, pressed);
}

void focus_flush(struct focus *f)
{
	for (uint16_t c = 0; c < KEY_CNT; c++)
		if (f->where[c] == KEY_HELD)
			send(f, c, true);
}

void focus_set(struct focus *f, int vm)
{
	if (vm == f->current || (vm != FOCUS_HOST && (vm < 0 || (size_t)vm >= f->n_vms)))
		return;
	int from = f->current;
	for (uint16_t c = 0; from != FOCUS_HOST && c < KEY_CNT; c++) {
		if (f->where[c] == from) {
			f->ops->emit(f->data, from, c, false);
			f->where[c] = KEY_DROPPED;
		}
	}
	f->current = vm;
	if (f->ops->changed)
		f->ops->changed(f->data, from, vm);
}

static unsigned modifiers_down(const struct focus *f)
{
	static const uint16_t mods[] = { KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTALT,  KEY_RIGHTALT,
					 KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTMETA, KEY_RIGHTMETA };
	unsigned bits = 0;
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (f->where[mods[i]] != KEY_UP_)
			bits |= modifier_bit(mods[i]);
	return bits;
}

static void run(struct focus *f, const struct hotkey *h)
{
	int n = (int)f->n_vms;
	int to = f->current;
	switch (h->action) {
	case FOCUS_NEXT:
		to = n == 0 ? FOCUS_HOST : f->current == FOCUS_HOST ? 0 : (f->current + 1) % n;
		break;
	case FOCUS_PREV:
		to = n == 0 ? FOCUS_HOST : f->current == FOCUS_HOST ? n - 1 : (f->current + n - 1) % n;
		break;
	case FOCUS_RELEASE:
		to = FOCUS_HOST;
		break;
	case FOCUS_TO_VM:
		to = h->vm;
		break;
	}
	focus_set(f, to);
}

void focus_key(struct focus *f, uint16_t code, bool pressed)
{
	if (code >= KEY_CNT)
		return;
	if (!pressed) {
		int16_t w = f->where[code];
		if (w == KEY_HELD) {
			/* A modifier alone is the VM's: it may mean something there. */
			focus_flush(f);
			w = f->where[code];
		}
		f->where[code] = KEY_UP_;
		if (w >= 0)
			f->ops->emit(f->data, w, code, false);
		return;
	}
	if (modifier_bit(code) && f->n_hotkeys) {
		f->where[code] = KEY_HELD;
		return;
	}
	unsigned mods = modifiers_down(f);
	for (size_t i = 0; i < f->n_hotkeys; i++) {
		const struct hotkey *h = &f->hotkeys[i];
		if (h->keys.key != code || h->keys.mods != mods)
			continue;
		for (uint16_t c = 0; c < KEY_CNT; c++)
			if (f->where[c] == KEY_HELD)
				f->where[c] = KEY_DROPPED;
		f->where[code] = KEY_DROPPED;
		run(f, h);
		return;
	}
	focus_flush(f);
	send(f, code, true);
}

void focus_release_all(struct focus *f)
{
	for (uint16_t c = 0; c < KEY_CNT; c++) {
		if (f->where[c] >= 0)
			f->ops->emit(f->data, f->where[c], c, false);
		if (f->where[c] != KEY_UP_)
			f->where[c] = KEY_DROPPED;
	}
}
