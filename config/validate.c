#include "config/validate.h"

#include <string.h>
#include <strings.h>

#define ERR_AT(d, w, ...) config_diags_add((d), CONFIG_ERROR, (w).file, (w).line, __VA_ARGS__)
#define WARN_AT(d, w, ...) config_diags_add((d), CONFIG_WARNING, (w).file, (w).line, __VA_ARGS__)

static bool known_seat(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_seats; i++)
		if (strcmp(cfg->seats[i].name, name) == 0)
			return true;
	return false;
}

static void check_monitors(const struct config *cfg, struct config_diags *d)
{
	for (size_t i = 0; i < cfg->n_monitors; i++) {
		const struct config_monitor *m = &cfg->monitors[i];
		if (!m->connector && !m->edid.set)
			ERR_AT(d, m->where, "[monitor.%s] needs connector= or edid=", m->name);
	}
}

static void check_vms(const struct config *cfg, struct config_diags *d)
{
	for (size_t i = 0; i < cfg->n_vms; i++) {
		const struct config_vm *vm = &cfg->vms[i];
		if (vm->monitor && !config_monitor_by_name(cfg, vm->monitor))
			ERR_AT(d, vm->monitor_at, "[vm.%s] monitor '%s' is not defined", vm->name,
			       vm->monitor);
		if (vm->input && !known_seat(cfg, vm->input))
			ERR_AT(d, vm->input_at, "[vm.%s] input seat '%s' is not defined", vm->name,
			       vm->input);
		for (unsigned k = vm->planes; k < CONFIG_MAX_PLANES; k++)
			if (vm->sources[k])
				WARN_AT(d, vm->source_at[k],
					"[vm.%s] source.%u is ignored: the vm has planes = %u", vm->name,
					k, vm->planes);

		/* Two claims on one monitor must say how they share it. */
		if (!vm->monitor)
			continue;
		const struct config_monitor *m = config_monitor_by_name(cfg, vm->monitor);
		if (!m || m->share == CONFIG_SHARE_FAILOVER)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct config_vm *o = &cfg->vms[j];
			if (o->monitor && strcmp(o->monitor, vm->monitor) == 0) {
				ERR_AT(d, vm->monitor_at,
				       "[vm.%s] and [vm.%s] (%s:%u) both claim monitor '%s'; set "
				       "share = failover in [monitor.%s] to let them take turns",
				       vm->name, o->name, o->monitor_at.file, o->monitor_at.line,
				       vm->monitor, vm->monitor);
				break;
			}
		}
	}
}

static void check_seats(const struct config *cfg, struct config_diags *d)
{
	for (size_t i = 0; i < cfg->n_seats; i++) {
		const struct config_seat *s = &cfg->seats[i];
		for (size_t k = 0; k < s->n_monitors; k++)
			if (!config_monitor_by_name(cfg, s->monitors[k]))
				ERR_AT(d, s->where, "[seat.%s] monitor '%s' is not defined", s->name,
				       s->monitors[k]);
	}
}

void config_validate(const struct config *cfg, struct config_diags *diags)
{
	check_monitors(cfg, diags);
	check_vms(cfg, diags);
	check_seats(cfg, diags);
}

static bool known_key(const char *k)
{
	static const char *const names[] = { "left", "right", "up", "down", "esc", "tab", "space",
					     "enter", "backspace", "home", "end", "pageup", "pagedown",
					     "insert", "delete", "pause", "scrolllock", NULL };
	size_t n = strlen(k);
	if (n == 1 && ((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
		return true;
	if ((n == 2 || n == 3) && k[0] == 'f') {
		int v = 0;
		for (size_t i = 1; i < n; i++) {
			if (k[i] < '0' || k[i] > '9')
				return false;
			v = v * 10 + (k[i] - '0');
		}
		return v >= 1 && v <= 24;
	}
	for (size_t i = 0; names[i]; i++)
		if (strcmp(k, names[i]) == 0)
			return true;
	return false;
}

bool config_hotkey_valid(const char *combo)
{
	static const char *const mods[] = { "ctrl", "alt", "shift", "super" };
	char buf[128];
	size_t len = strlen(combo);
	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((combo[i] >= 'A' && combo[i] <= 'Z') ? combo[i] - 'A' + 'a' : combo[i]);
	buf[len] = '\0';
	/* Every part but the last is a modifier; the last is the key. */
	char *part = buf;
	for (;;) {
		char *plus = strchr(part, '+');
		if (!plus)
			return known_key(part);
		*plus = '\0';
		bool is_mod = false;
		for (size_t m = 0; m < 4; m++)
			is_mod |= strcmp(part, mods[m]) == 0;
		if (!is_mod)
			return false;
		part = plus + 1;
	}
}
