/* SPDX-License-Identifier: MIT */
/*
 * Whole-layout checks, run once every file is read, so that a drop-in can
 * complete what the main file began. Each problem is reported where it
 * can be fixed: at the key that names something, or at the section that
 * lacks something.
 */
#include "config/validate.h"

#include <stdio.h>
#include <string.h>

#include "config/hotkey.h"

#define ERR_AT(d, w, ...) config_diags_add((d), CONFIG_ERROR, (w).file, (w).line, __VA_ARGS__)
#define WARN_AT(d, w, ...) config_diags_add((d), CONFIG_WARNING, (w).file, (w).line, __VA_ARGS__)
#define WHERE_SIZE 4200 /* a path, ':' and a line number */

/* Where `there` is, as seen from a message at `here`: "line 4" in the same
 * file, "other.ini:4" in another. */
static const char *where_from(struct config_where here, struct config_where there, char *buf,
			      size_t size)
{
	if (here.file && there.file && strcmp(here.file, there.file) == 0)
		snprintf(buf, size, "line %u", there.line);
	else
		snprintf(buf, size, "%s:%u", there.file ? there.file : "?", there.line);
	return buf;
}

static const struct config_seat *seat_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_seats; i++)
		if (strcmp(cfg->seats[i].name, name) == 0)
			return &cfg->seats[i];
	return NULL;
}

static bool same_edid(const struct config_edid_match *a, const struct config_edid_match *b)
{
	return a->set && b->set && strcmp(a->vendor, b->vendor) == 0 && a->product == b->product &&
	       a->has_serial == b->has_serial && (!a->has_serial || a->serial == b->serial);
}

static void check_monitors(const struct config *cfg, struct config_diags *d)
{
	for (size_t i = 0; i < cfg->n_monitors; i++) {
		const struct config_monitor *m = &cfg->monitors[i];
		if (!m->connector && !m->edid.set) {
			ERR_AT(d, m->where, "[monitor.%s] needs connector= or edid=", m->name);
			continue;
		}
		/* Two names for one screen would let two VMs claim it unseen. */
		for (size_t j = 0; j < i; j++) {
			const struct config_monitor *o = &cfg->monitors[j];
			char at[WHERE_SIZE];
			if (m->connector && o->connector && strcmp(m->connector, o->connector) == 0) {
				ERR_AT(d, m->where,
				       "[monitor.%s] connector '%s' is already used by [monitor.%s] (%s)",
				       m->name, m->connector, o->name,
				       where_from(m->where, o->where, at, sizeof(at)));
				break;
			}
			if (same_edid(&m->edid, &o->edid)) {
				ERR_AT(d, m->where, "[monitor.%s] edid is the same as [monitor.%s]'s (%s)",
				       m->name, o->name, where_from(m->where, o->where, at, sizeof(at)));
				break;
			}
		}
	}
}

/* The first vm before vm i claiming the same monitor, or NULL. */
static const struct config_vm *earlier_claim(const struct config *cfg, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (cfg->vms[j].monitor && strcmp(cfg->vms[j].monitor, cfg->vms[i].monitor) == 0)
			return &cfg->vms[j];
	return NULL;
}

static void check_vm(const struct config *cfg, size_t i, struct config_diags *d)
{
	const struct config_vm *vm = &cfg->vms[i];
	if (vm->input && !seat_by_name(cfg, vm->input))
		ERR_AT(d, vm->input_at, "[vm.%s] input seat '%s' is not defined", vm->name, vm->input);

	/* Sources can also come at run time: these are only warnings. */
	if (!vm->sources[0])
		WARN_AT(d, vm->where,
			"[vm.%s] has no source.0; its plane 0 stays empty until a source is given "
			"at run time", vm->name);
	for (unsigned k = vm->planes; k < CONFIG_MAX_PLANES; k++)
		if (vm->sources[k])
			WARN_AT(d, vm->source_at[k],
				"[vm.%s] source.%u is ignored: the vm has planes = %u", vm->name, k,
				vm->planes);

	if (!vm->monitor)
		return;
	const struct config_monitor *m = config_monitor_by_name(cfg, vm->monitor);
	if (!m) {
		ERR_AT(d, vm->monitor_at, "[vm.%s] monitor '%s' is not defined", vm->name,
		       vm->monitor);
		return;
	}
	/* Two claims on one monitor must say how they share it. */
	const struct config_vm *o = earlier_claim(cfg, i);
	char at[WHERE_SIZE];
	if (o && m->share != CONFIG_SHARE_FAILOVER)
		ERR_AT(d, vm->monitor_at,
		       "[vm.%s] (line %u) and [vm.%s] (%s) both claim monitor '%s'; set share = "
		       "failover in [monitor.%s] to let them take turns",
		       vm->name, vm->monitor_at.line, o->name,
		       where_from(vm->monitor_at, o->monitor_at, at, sizeof(at)), vm->monitor,
		       vm->monitor);
}

/* The seat before seat i that lists monitor `name`, or NULL. */
static const struct config_seat *earlier_seat_with(const struct config *cfg, size_t i,
						   const char *name)
{
	for (size_t j = 0; j < i; j++)
		for (size_t k = 0; k < cfg->seats[j].n_monitors; k++)
			if (strcmp(cfg->seats[j].monitors[k], name) == 0)
				return &cfg->seats[j];
	return NULL;
}

static void check_seat(const struct config *cfg, size_t i, struct config_diags *d)
{
	const struct config_seat *s = &cfg->seats[i];
	for (size_t k = 0; k < s->n_monitors; k++) {
		const char *name = s->monitors[k];
		bool twice = false;
		for (size_t j = 0; j < k && !twice; j++)
			twice = strcmp(s->monitors[j], name) == 0;
		if (twice) {
			ERR_AT(d, s->monitors_at, "[seat.%s] lists monitor '%s' twice", s->name, name);
			continue;
		}
		if (!config_monitor_by_name(cfg, name)) {
			ERR_AT(d, s->monitors_at, "[seat.%s] monitor '%s' is not defined", s->name,
			       name);
			continue;
		}
		/* A monitor's input has to follow one seat's hotkeys. */
		const struct config_seat *o = earlier_seat_with(cfg, i, name);
		char at[WHERE_SIZE];
		if (o)
			ERR_AT(d, s->monitors_at, "[seat.%s] monitor '%s' is already in [seat.%s] (%s)",
			       s->name, name, o->name,
			       where_from(s->monitors_at, o->monitors_at, at, sizeof(at)));
	}
}

/* Each hotkey of a seat names one VM that takes input from the seat, and
 * no two of them are the same keys (only the first could ever fire). */
static void check_seat_hotkeys(const struct config *cfg, const struct config_seat *s,
			       struct config_diags *d)
{
	const char *combo[3 + CONFIG_MAX_VMS];
	struct config_where at[3 + CONFIG_MAX_VMS];
	size_t n = 0;
	const char *fixed[3] = { s->hotkey_next, s->hotkey_prev, s->hotkey_release };
	for (size_t k = 0; k < 3; k++)
		if (fixed[k])
			combo[n] = fixed[k], at[n++] = s->hotkey_at[k];
	for (size_t k = 0; k < s->n_focus_keys && n < 3 + CONFIG_MAX_VMS; k++) {
		const struct config_focus_key *f = &s->focus_keys[k];
		const struct config_vm *vm = config_vm_by_name(cfg, f->vm);
		if (!vm)
			ERR_AT(d, f->at, "[seat.%s] hotkey.focus.%s: vm '%s' is not defined", s->name,
			       f->vm, f->vm);
		else if (!vm->input || strcmp(vm->input, s->name) != 0)
			ERR_AT(d, f->at, "[seat.%s] hotkey.focus.%s: vm '%s' does not take input from "
			       "this seat; add input = %s to [vm.%s]", s->name, f->vm, f->vm, s->name,
			       f->vm);
		combo[n] = f->combo, at[n++] = f->at;
	}
	for (size_t i = 0; i < n; i++) {
		struct config_hotkey a, b;
		if (config_hotkey_parse(combo[i], &a) < 0)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (config_hotkey_parse(combo[j], &b) < 0 || a.mods != b.mods || a.key != b.key)
				continue;
			char there[WHERE_SIZE];
			ERR_AT(d, at[i], "[seat.%s] hotkey '%s' is already used (%s)", s->name,
			       combo[i], where_from(at[i], at[j], there, sizeof(there)));
			break;
		}
	}
}

/* Following the pointer needs each monitor's rectangle in the desktop. */
static void check_follows(const struct config *cfg, const struct config_seat *s,
			  struct config_diags *d)
{
	if (!s->focus_follows_pointer)
		return;
	if (s->n_monitors == 0)
		ERR_AT(d, s->follows_at, "[seat.%s] focus-follows-pointer needs monitors =",
		       s->name);
	for (size_t k = 0; k < s->n_monitors; k++) {
		const struct config_monitor *m = config_monitor_by_name(cfg, s->monitors[k]);
		if (m && (!m->has_position || !m->mode.set))
			ERR_AT(d, s->follows_at, "[seat.%s] focus-follows-pointer needs position = "
			       "and mode = in [monitor.%s]", s->name, m->name);
	}
}

void config_validate(const struct config *cfg, struct config_diags *diags)
{
	check_monitors(cfg, diags);
	for (size_t i = 0; i < cfg->n_vms; i++)
		check_vm(cfg, i, diags);
	for (size_t i = 0; i < cfg->n_seats; i++) {
		check_seat(cfg, i, diags);
		check_seat_hotkeys(cfg, &cfg->seats[i], diags);
		check_follows(cfg, &cfg->seats[i], diags);
	}
}
