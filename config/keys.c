/* SPDX-License-Identifier: MIT */
/*
 * The schema: which keys each section takes, their defaults, and how each
 * value is checked and stored. Checks that need the whole layout
 * (references, claims on monitors) are in validate.c.
 *
 * An empty value resets a key to its default, so that a drop-in can undo
 * what an earlier file set ("monitor =" unbinds a vm).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include "config/account.h"
#include "config/hotkey.h"
#include "config/number.h"
#include "config/parser.h"
#include "config/suggest.h"

typedef void set_fn(struct parser *p, void *entry, const char *key, const char *value);

struct key_def {
	const char *name;
	set_fn *set;
	bool repeatable;
	bool indexed; /* name is a prefix followed by an index: source.K, hotkey.focus.VM */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void config_daemon_init(struct config_daemon *d)
{
	d->log_level = LOG_INFO;
}

void config_monitor_init(struct config_monitor *m)
{
	m->share = CONFIG_SHARE_EXCLUSIVE;
}

void config_vm_init(struct config_vm *vm)
{
	vm->planes = 1;
	vm->scaling = CONFIG_SCALING_FIT;
	vm->on_vm_exit = CONFIG_ON_VM_EXIT_KEEP;
}

void config_seat_init(struct config_seat *s)
{
	(void)s; /* every field starts empty */
}

/* Sets *dst to a copy of value, or back to NULL for an empty value. */
static bool set_or_reset(struct parser *p, char **dst, const char *value)
{
	if (*value)
		return parser_set_str(p, dst, value);
	free(*dst);
	*dst = NULL;
	return true;
}

/* [daemon] */

static void set_card(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_daemon *d = entry;
	if (value[0] != '/' && strpbrk(value, " \t/")) {
		PERR(p, "[%s] card '%s' is neither an absolute path (/dev/dri/card0) nor a udev "
			"ID_PATH (pci-0000:00:02.0)", p->section, value);
		return;
	}
	set_or_reset(p, &d->card, value);
}

static void set_socket(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_daemon *d = entry;
	size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;
	if (*value && value[0] != '/')
		PERR(p, "[%s] socket '%s' is not an absolute path", p->section, value);
	else if (strlen(value) > max)
		PERR(p, "[%s] socket path is too long for a Unix socket (at most %zu characters)",
		     p->section, max);
	else
		set_or_reset(p, &d->socket_path, value);
}

static void set_socket_group(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_daemon *d = entry;
	gid_t gid = 0;
	int r = *value ? config_lookup_gid(value, &gid) : 0;
	if (r == -ENOENT)
		PERR(p, "[%s] socket-group '%s' is not a group on this system", p->section, value);
	else if (r == -ERANGE)
		PERR(p, "[%s] socket-group '%s' is not a valid gid", p->section, value);
	else if (r == -ENOMEM)
		p->oom = true;
	else if (r < 0)
		PERR(p, "[%s] cannot look up group '%s': %s", p->section, value, strerror(-r));
	else if (set_or_reset(p, &d->socket_group, value)) {
		d->has_socket_group = *value != '\0';
		d->socket_gid = gid;
	}
}

static void set_log_level(struct parser *p, void *entry, const char *key, const char *value)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err",
					     "warning", "notice", "info", "debug" };
	struct config_daemon *d = entry;
	if (!*value) {
		d->log_level = LOG_INFO;
		return;
	}
	for (size_t i = 0; i < N(names); i++) {
		if (strcmp(value, names[i]) == 0) {
			d->log_level = (int)i;
			return;
		}
	}
	uint32_t n;
	if (config_parse_u32_dec(value, LOG_EMERG, LOG_DEBUG, &n) == 0) {
		d->log_level = (int)n;
		return;
	}
	PERR(p, "[%s] log-level '%s' is not one of emerg, alert, crit, err, warning, notice, "
		"info, debug or 0 to 7", p->section, value);
}

/* [monitor.NAME] */

static void set_connector(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_monitor *m = entry;
	/* Kernel connector names are TYPE-N: HDMI-A-1, DP-2, eDP-1, Virtual-1. */
	size_t n = strlen(value);
	bool ok = n <= CONFIG_MAX_NAME;
	for (size_t i = 0; ok && i < n; i++) {
		char c = value[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '-';
	}
	if (!ok)
		PERR(p, "[%s] connector '%s' is not a connector name such as HDMI-A-1, DP-2 or "
			"Virtual-1", p->section, value);
	else
		set_or_reset(p, &m->connector, value);
}

/* VENDOR/PRODUCT[/SERIAL]; on error, the reason. */
static const char *parse_edid(const char *value, struct config_edid_match *out)
{
	const char *slash = strchr(value, '/');
	if (!slash)
		return "write VENDOR/PRODUCT[/SERIAL]";
	if (slash - value != 3 || !(value[0] >= 'A' && value[0] <= 'Z') ||
	    !(value[1] >= 'A' && value[1] <= 'Z') || !(value[2] >= 'A' && value[2] <= 'Z'))
		return "the vendor is a PNP id of 3 capital letters, e.g. DEL";
	struct config_edid_match m = { .set = true };
	memcpy(m.vendor, value, 3);
	char product[16];
	const char *rest = slash + 1;
	const char *slash2 = strchr(rest, '/');
	size_t len = slash2 ? (size_t)(slash2 - rest) : strlen(rest);
	uint32_t n;
	if (len >= sizeof(product))
		return "the product code is 0 to 65535, decimal or 0x hex";
	memcpy(product, rest, len);
	product[len] = '\0';
	if (config_parse_u32(product, 0, UINT16_MAX, &n) < 0)
		return "the product code is 0 to 65535, decimal or 0x hex";
	m.product = (uint16_t)n;
	if (slash2) {
		if (config_parse_u32(slash2 + 1, 0, UINT32_MAX, &m.serial) < 0)
			return "the serial number is 0 to 4294967295, decimal or 0x hex";
		m.has_serial = true;
	}
	*out = m;
	return NULL;
}

static void set_edid(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_monitor *m = entry;
	if (!*value) {
		m->edid = (struct config_edid_match){ 0 };
		return;
	}
	const char *why = parse_edid(value, &m->edid);
	if (why)
		PERR(p, "[%s] edid '%s' is not VENDOR/PRODUCT[/SERIAL]: %s", p->section, value, why);
}

static void set_mode(struct parser *p, struct config_mode *mode, const char *value)
{
	if (!*value)
		*mode = (struct config_mode){ 0 };
	else if (config_parse_mode(value, mode) < 0)
		PERR(p, "[%s] mode '%s' is not WIDTHxHEIGHT[@REFRESH] (sides 1 to %d, refresh 1 to "
			"%d), e.g. 1920x1080@60", p->section, value, CONFIG_MAX_MODE_SIDE,
		     CONFIG_MAX_REFRESH);
}

static void set_monitor_mode(struct parser *p, void *entry, const char *key, const char *value)
{
	set_mode(p, &((struct config_monitor *)entry)->mode, value);
}

/* "X,Y": where the monitor sits in its seat's desktop. */
static void set_position(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_monitor *m = entry;
	if (!*value) {
		m->has_position = false;
		return;
	}
	char buf[64];
	const char *comma = strchr(value, ',');
	uint32_t x, y;
	if (!comma || (size_t)(comma - value) >= sizeof(buf)) {
		PERR(p, "[%s] position '%s' is not X,Y (for example 1920,0)", p->section, value);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(comma - value), value);
	if (config_parse_u32_dec(buf, 0, CONFIG_MAX_POSITION, &x) < 0 ||
	    config_parse_u32_dec(comma + 1, 0, CONFIG_MAX_POSITION, &y) < 0) {
		PERR(p, "[%s] position '%s' is not X,Y with each from 0 to %d", p->section, value,
		     CONFIG_MAX_POSITION);
		return;
	}
	m->has_position = true;
	m->x = x;
	m->y = y;
	m->position_at = parser_where(p);
}

static void set_share(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_monitor *m = entry;
	if (!*value || strcmp(value, "exclusive") == 0)
		m->share = CONFIG_SHARE_EXCLUSIVE;
	else if (strcmp(value, "failover") == 0)
		m->share = CONFIG_SHARE_FAILOVER;
	else
		PERR(p, "[%s] share '%s' is not exclusive or failover", p->section, value);
}

/* [vm.NAME] */

static void set_owner(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	uid_t uid = 0;
	int r = *value ? config_lookup_uid(value, &uid) : 0;
	if (r == -ENOENT)
		PERR(p, "[%s] owner '%s' is neither a user on this system nor a numeric uid",
		     p->section, value);
	else if (r == -ERANGE)
		PERR(p, "[%s] owner '%s' is not a valid uid", p->section, value);
	else if (r == -ENOMEM)
		p->oom = true;
	else if (r < 0)
		PERR(p, "[%s] cannot look up user '%s': %s", p->section, value, strerror(-r));
	else if (set_or_reset(p, &vm->owner, value)) {
		vm->has_owner = *value != '\0';
		vm->owner_uid = uid;
	}
}

static void set_vm_monitor(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	if (set_or_reset(p, &vm->monitor, value))
		vm->monitor_at = parser_where(p);
}

static void set_planes(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	uint32_t n = 1;
	if (*value && config_parse_u32_dec(value, 1, CONFIG_MAX_PLANES, &n) < 0)
		PERR(p, "[%s] planes '%s' is not a number from 1 to %d", p->section, value,
		     CONFIG_MAX_PLANES);
	else
		vm->planes = n;
}

/* Only the scheme is checked here; the source module opens what it names. */
static bool valid_source(const char *v)
{
	static const char *const schemes[] = { "fb:", "gvt-sysfs:", "vfio:" };
	if (strcmp(v, "client") == 0)
		return true;
	for (size_t i = 0; i < N(schemes); i++) {
		size_t n = strlen(schemes[i]);
		if (strncmp(v, schemes[i], n) == 0 && v[n] != '\0')
			return true;
	}
	return false;
}

static void set_source(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	const char *index = key + strlen("source.");
	uint32_t k;
	/* One spelling per plane, so that duplicate keys are caught: no "01". */
	if ((index[0] == '0' && index[1] != '\0') ||
	    config_parse_u32_dec(index, 0, CONFIG_MAX_PLANES - 1, &k) < 0) {
		PERR(p, "[%s] '%s': the plane index K in source.K is 0 to %d", p->section, key,
		     CONFIG_MAX_PLANES - 1);
		return;
	}
	if (*value && !valid_source(value)) {
		PERR(p, "[%s] %s '%s' is not fb:PATH, fb:ID, gvt-sysfs:PATH[#PLANE], vfio:PATH[#MDEV] "
			"or client", p->section, key, value);
		return;
	}
	if (set_or_reset(p, &vm->sources[k], value))
		vm->source_at[k] = parser_where(p);
}

static void set_scaling(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	if (!*value)
		vm->scaling = CONFIG_SCALING_FIT;
	else if (config_scaling_parse(value, &vm->scaling) < 0)
		PERR(p, "[%s] scaling '%s' is not fit, stretch, center or none", p->section, value);
}

static void set_vm_mode(struct parser *p, void *entry, const char *key, const char *value)
{
	set_mode(p, &((struct config_vm *)entry)->mode, value);
}

static void set_vm_input(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	if (set_or_reset(p, &vm->input, value))
		vm->input_at = parser_where(p);
}

static void set_vm_socket(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	if (!*value)
		vm->socket = false;
	else if (config_parse_bool(value, &vm->socket) < 0)
		PERR(p, "[%s] socket '%s' is not yes or no", p->section, value);
}

static void set_on_vm_exit(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_vm *vm = entry;
	if (!*value || strcmp(value, "keep") == 0)
		vm->on_vm_exit = CONFIG_ON_VM_EXIT_KEEP;
	else if (strcmp(value, "black") == 0)
		vm->on_vm_exit = CONFIG_ON_VM_EXIT_BLACK;
	else
		PERR(p, "[%s] on-vm-exit '%s' is not keep or black", p->section, value);
}

/* [seat.NAME] */

static void set_seat_monitors(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_seat *seat = entry;
	char *copy = strdup(value);
	if (!copy) {
		p->oom = true;
		return;
	}
	char **words = NULL;
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(copy, " \t,", &save); w;
	     w = strtok_r(NULL, " \t,", &save)) {
		if (!config_name_valid(w)) {
			PERR(p, "[%s] monitors: '%s' is not a monitor NAME", p->section, w);
			continue;
		}
		if (n == CONFIG_MAX_MONITORS) {
			PERR(p, "[%s] monitors lists more than %d monitors", p->section,
			     CONFIG_MAX_MONITORS);
			break;
		}
		char **grown = realloc(words, (n + 1) * sizeof(*words));
		if (!grown || !(grown[n] = strdup(w))) {
			words = grown ? grown : words;
			p->oom = true;
			break;
		}
		words = grown;
		n++;
	}
	free(copy);
	config_words_free(seat->monitors, seat->n_monitors);
	seat->monitors = words;
	seat->n_monitors = n;
	seat->monitors_at = parser_where(p);
}

/* "/dev/input/..." or a udev property match "ID_INPUT_KEYBOARD=1". */
static bool valid_input(const char *v)
{
	if (v[0] == '/')
		return true;
	size_t n = 0;
	while ((v[n] >= 'A' && v[n] <= 'Z') || (v[n] >= 'a' && v[n] <= 'z') ||
	       (v[n] >= '0' && v[n] <= '9') || v[n] == '_')
		n++;
	return n > 0 && v[n] == '=' && v[n + 1] != '\0';
}

static size_t times_seen(const struct parser *p, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < p->keys.n; i++)
		n += strcmp(p->keys.items[i].name, key) == 0;
	return n;
}

static void set_seat_input(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_seat *seat = entry;
	/* A later file's input= lines replace the list; within one section they add up. */
	if (times_seen(p, key) == 1 || !*value) {
		config_words_free(seat->inputs, seat->n_inputs);
		seat->inputs = NULL;
		seat->n_inputs = 0;
	}
	if (!*value)
		return;
	if (!valid_input(value)) {
		PERR(p, "[%s] input '%s' is neither a device path (/dev/input/...) nor a udev "
			"match PROPERTY=VALUE", p->section, value);
		return;
	}
	if (seat->n_inputs == CONFIG_MAX_SEAT_INPUTS) {
		PERR(p, "[%s] has too many input= lines (at most %d)", p->section,
		     CONFIG_MAX_SEAT_INPUTS);
		return;
	}
	char **grown = realloc(seat->inputs, (seat->n_inputs + 1) * sizeof(*grown));
	if (!grown) {
		p->oom = true;
		return;
	}
	seat->inputs = grown;
	if (!(seat->inputs[seat->n_inputs] = strdup(value))) {
		p->oom = true;
		return;
	}
	seat->n_inputs++;
}

static bool hotkey_ok(struct parser *p, const char *key, const char *value)
{
	char why[160];
	if (!*value || config_hotkey_check(value, why, sizeof(why)))
		return true;
	PERR(p, "[%s] %s '%s' is not a key combination such as ctrl+alt+right: %s", p->section,
	     key, value, why);
	return false;
}

static void set_hotkey(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_seat *seat = entry;
	size_t k = strcmp(key, "hotkey.next") == 0 ? 0 : strcmp(key, "hotkey.prev") == 0 ? 1 : 2;
	char **dst = k == 0 ? &seat->hotkey_next : k == 1 ? &seat->hotkey_prev
							    : &seat->hotkey_release;
	if (hotkey_ok(p, key, value) && set_or_reset(p, dst, value))
		seat->hotkey_at[k] = parser_where(p);
}

/* hotkey.focus.VM: the VM is checked against the whole layout in validate.c. */
static void set_focus_hotkey(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_seat *seat = entry;
	const char *vm = key + strlen("hotkey.focus.");
	if (!config_name_valid(vm)) {
		PERR(p, "[%s] '%s': VM in hotkey.focus.VM is not a NAME", p->section, key);
		return;
	}
	if (!hotkey_ok(p, key, value))
		return;
	size_t i = 0;
	while (i < seat->n_focus_keys && strcmp(seat->focus_keys[i].vm, vm) != 0)
		i++;
	if (!*value) {
		/* A drop-in's empty value drops the hotkey. */
		if (i < seat->n_focus_keys) {
			free(seat->focus_keys[i].vm);
			free(seat->focus_keys[i].combo);
			seat->focus_keys[i] = seat->focus_keys[--seat->n_focus_keys];
		}
		return;
	}
	if (i == seat->n_focus_keys) {
		if (i == CONFIG_MAX_VMS) {
			PERR(p, "[%s] has too many hotkey.focus.VM keys (at most %d)", p->section,
			     CONFIG_MAX_VMS);
			return;
		}
		struct config_focus_key *grown =
			realloc(seat->focus_keys, (i + 1) * sizeof(*grown));
		if (!grown) {
			p->oom = true;
			return;
		}
		seat->focus_keys = grown;
		grown[i] = (struct config_focus_key){ 0 };
		if (!(grown[i].vm = strdup(vm))) {
			p->oom = true;
			return;
		}
		seat->n_focus_keys++;
	}
	if (parser_set_str(p, &seat->focus_keys[i].combo, value))
		seat->focus_keys[i].at = parser_where(p);
}

static void set_follows(struct parser *p, void *entry, const char *key, const char *value)
{
	struct config_seat *seat = entry;
	if (!*value)
		seat->focus_follows_pointer = false;
	else if (config_parse_bool(value, &seat->focus_follows_pointer) < 0)
		PERR(p, "[%s] focus-follows-pointer '%s' is not yes or no", p->section, value);
	else
		seat->follows_at = parser_where(p);
}

static const struct key_def daemon_keys[] = {
	{ "card", set_card, false, false },
	{ "socket", set_socket, false, false },
	{ "socket-group", set_socket_group, false, false },
	{ "log-level", set_log_level, false, false },
};

static const struct key_def monitor_keys[] = {
	{ "connector", set_connector, false, false },
	{ "edid", set_edid, false, false },
	{ "mode", set_monitor_mode, false, false },
	{ "share", set_share, false, false },
	{ "position", set_position, false, false },
};

static const struct key_def vm_keys[] = {
	{ "owner", set_owner, false, false },
	{ "monitor", set_vm_monitor, false, false },
	{ "planes", set_planes, false, false },
	{ "source.", set_source, false, true },
	{ "scaling", set_scaling, false, false },
	{ "mode", set_vm_mode, false, false },
	{ "input", set_vm_input, false, false },
	{ "socket", set_vm_socket, false, false },
	{ "on-vm-exit", set_on_vm_exit, false, false },
};

static const struct key_def seat_keys[] = {
	{ "monitors", set_seat_monitors, false, false },
	{ "input", set_seat_input, true, false },
	{ "hotkey.next", set_hotkey, false, false },
	{ "hotkey.prev", set_hotkey, false, false },
	{ "hotkey.release", set_hotkey, false, false },
	{ "hotkey.focus.", set_focus_hotkey, false, true },
	{ "focus-follows-pointer", set_follows, false, false },
};

static const char *const source_names[CONFIG_MAX_PLANES] = {
	"source.0", "source.1", "source.2", "source.3",
	"source.4", "source.5", "source.6", "source.7",
};
_Static_assert(CONFIG_MAX_PLANES == 8, "source_names lists every plane");

/* The keys of each kind of section; none before the first header. */
static const struct schema {
	const struct key_def *defs;
	size_t n;
} schemas[] = {
	[SECTION_DAEMON] = { daemon_keys, N(daemon_keys) },
	[SECTION_MONITOR] = { monitor_keys, N(monitor_keys) },
	[SECTION_VM] = { vm_keys, N(vm_keys) },
	[SECTION_SEAT] = { seat_keys, N(seat_keys) },
};

static void unknown_key(struct parser *p, const char *key, const struct key_def *defs, size_t n)
{
	const char *known[16 + CONFIG_MAX_PLANES];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (defs[i].indexed && strcmp(defs[i].name, "source.") == 0)
			for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
				known[m++] = source_names[k];
		else if (defs[i].indexed)
			known[m++] = "hotkey.focus.VM";
		else
			known[m++] = defs[i].name;
	}
	const char *s = config_suggest(key, known, m);
	if (s)
		PERR(p, "unknown key '%s' in [%s]; did you mean '%s'?", key, p->section, s);
	else
		PERR(p, "unknown key '%s' in [%s]", key, p->section);
}

void config_key(struct parser *p, const char *key, const char *value)
{
	if (p->kind == SECTION_NONE) {
		PERR(p, "'%s' appears before any [section]", key);
		return;
	}
	if (p->kind == SECTION_SKIP)
		return;
	const struct key_def *defs = schemas[p->kind].defs;
	size_t n = schemas[p->kind].n, i;
	for (i = 0; i < n; i++) {
		if (defs[i].indexed ? strncmp(key, defs[i].name, strlen(defs[i].name)) == 0
				    : strcmp(key, defs[i].name) == 0)
			break;
	}
	if (i == n) {
		unknown_key(p, key, defs, n);
		return;
	}
	if (!defs[i].repeatable) {
		for (size_t j = 0; j < p->keys.n; j++) {
			if (strcmp(p->keys.items[j].name, key) == 0) {
				PERR(p, "duplicate key '%s' in [%s]; it was first set at line %u", key,
				     p->section, p->keys.items[j].line);
				return;
			}
		}
	}
	if (!parser_seen_add(p, &p->keys, key))
		return;
	size_t len = strlen(value);
	if (len > CONFIG_MAX_VALUE) {
		PERR(p, "[%s] the value of %s is too long (%zu characters, at most %d)", p->section,
		     key, len, CONFIG_MAX_VALUE);
		return;
	}
	defs[i].set(p, parser_entry(p), key, value);
}
