/*
 * The layout file, parsed with inih. inih reads lines through our reader,
 * which is where line numbers, section headers, over-long lines and
 * syntax errors are handled (Debian's inih passes no line number to the
 * handler, and treats indented lines as continuations: the reader strips
 * indentation so "  key = value" means what it says). The handler then
 * stores each key of the current section. Semantic checks that need the
 * whole layout are in validate.c.
 */
#include "config/config.h"

#include <ctype.h>
#include <stddef.h>
#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config/number.h"
#include "config/validate.h"

#define MAX_NAME 32
#define MAX_DROPINS 256

enum section_kind {
	SEC_NONE,
	SEC_DAEMON,
	SEC_MONITOR,
	SEC_VM,
	SEC_SEAT,
	SEC_BAD, /* reported already; its keys are skipped */
};

struct seen {
	char name[80];
	unsigned line;
};

struct parser {
	struct config *cfg;
	struct config_diags *diags;
	const char *file;
	unsigned line;

	/* The current section. */
	enum section_kind kind;
	size_t index;
	char section[80];

	/* Within the current file: sections and the current section's keys. */
	struct seen *sections;
	size_t n_sections;
	struct seen keys[64];
	size_t n_keys;

	/* Input: a FILE or a string. */
	FILE *f;
	const char *text;
	bool failed_alloc;
};

#define PERR(p, ...) config_diags_add((p)->diags, CONFIG_ERROR, (p)->file, (p)->line, __VA_ARGS__)
#define PWARN(p, ...) config_diags_add((p)->diags, CONFIG_WARNING, (p)->file, (p)->line, __VA_ARGS__)

static const char *const daemon_keys[] = { "card", "socket", "socket-group", "log-level", NULL };
static const char *const monitor_keys[] = { "connector", "edid", "mode", "share", NULL };
static const char *const vm_keys[] = { "owner", "monitor", "planes", "source.0", "scaling", "mode",
				       "input", "socket", "on-vm-exit", NULL };
static const char *const seat_keys[] = { "monitors", "input", "hotkey.next", "hotkey.prev",
					 "hotkey.release", NULL };
static const char *const section_kinds[] = { "daemon", "monitor.", "vm.", "seat.", NULL };

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The known word nearest to word, when it is a likely typo. */
static const char *suggest(const char *word, const char *const *known)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; known[i]; i++) {
		size_t d = edit_distance(word, known[i]);
		if (d < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static const char *remember_file(struct config *cfg, const char *file)
{
	for (size_t i = 0; i < cfg->n_files; i++)
		if (strcmp(cfg->files[i], file) == 0)
			return cfg->files[i];
	char **files = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*files));
	if (!files)
		return NULL;
	cfg->files = files;
	char *copy = strdup(file);
	if (!copy)
		return NULL;
	cfg->files[cfg->n_files++] = copy;
	return copy;
}

static struct config_where here(struct parser *p)
{
	const char *f = remember_file(p->cfg, p->file);
	if (!f)
		p->failed_alloc = true;
	return (struct config_where){ f, p->line };
}

static bool set_str(struct parser *p, char **dst, const char *value)
{
	char *copy = strdup(value);
	if (!copy) {
		p->failed_alloc = true;
		return false;
	}
	free(*dst);
	*dst = copy;
	return true;
}

/* Monitor, vm and seat entries all begin with this; see the asserts. */
struct entry_head {
	char *name;
	struct config_where where;
};
_Static_assert(offsetof(struct config_monitor, where) == offsetof(struct entry_head, where), "head");
_Static_assert(offsetof(struct config_vm, where) == offsetof(struct entry_head, where), "head");
_Static_assert(offsetof(struct config_seat, where) == offsetof(struct entry_head, where), "head");

/* Index of entry NAME in an array of entries of `size` bytes, appended
 * when new (zeroed but for the head); -1 when over `max` or out of memory. */
static ssize_t find_or_add(struct parser *p, void **arr, size_t *n, size_t size, size_t max,
			   const char *what, const char *name)
{
	char *base = *arr;
	for (size_t i = 0; i < *n; i++) {
		struct entry_head h;
		memcpy(&h, base + i * size, sizeof(h));
		if (strcmp(h.name, name) == 0)
			return (ssize_t)i;
	}
	if (*n >= max) {
		PERR(p, "too many %s sections (at most %zu)", what, max);
		return -1;
	}
	char *grown = realloc(*arr, (*n + 1) * size);
	if (!grown) {
		p->failed_alloc = true;
		return -1;
	}
	*arr = grown;
	struct entry_head h = { strdup(name), here(p) };
	if (!h.name) {
		p->failed_alloc = true;
		return -1;
	}
	memset(grown + *n * size, 0, size);
	memcpy(grown + *n * size, &h, sizeof(h));
	return (ssize_t)(*n)++;
}

static void open_section(struct parser *p, const char *header)
{
	p->n_keys = 0;
	p->kind = SEC_BAD;
	snprintf(p->section, sizeof(p->section), "%s", header);

	for (size_t i = 0; i < p->n_sections; i++) {
		if (strcmp(p->sections[i].name, header) == 0) {
			PERR(p, "duplicate section [%s]; it was first defined at line %u", header,
			     p->sections[i].line);
			return;
		}
	}
	struct seen *grown = realloc(p->sections, (p->n_sections + 1) * sizeof(*grown));
	if (!grown) {
		p->failed_alloc = true;
		return;
	}
	p->sections = grown;
	snprintf(p->sections[p->n_sections].name, sizeof(p->sections[0].name), "%s", header);
	p->sections[p->n_sections++].line = p->line;

	if (strcmp(header, "daemon") == 0) {
		p->kind = SEC_DAEMON;
		return;
	}
	const char *dot = strchr(header, '.');
	size_t kind_len = dot ? (size_t)(dot - header) : 0;
	const char *name = dot ? dot + 1 : NULL;
	enum section_kind kind = SEC_BAD;
	if (kind_len == 7 && strncmp(header, "monitor", 7) == 0)
		kind = SEC_MONITOR;
	else if (kind_len == 2 && strncmp(header, "vm", 2) == 0)
		kind = SEC_VM;
	else if (kind_len == 4 && strncmp(header, "seat", 4) == 0)
		kind = SEC_SEAT;
	if (kind == SEC_BAD) {
		char head[80];
		snprintf(head, sizeof(head), "%.*s%s", (int)(dot ? kind_len : strlen(header)), header,
			 dot ? "." : "");
		const char *s = suggest(head, section_kinds);
		PERR(p, "unknown section [%s]%s%s%s; sections are [daemon], [monitor.NAME], "
			"[vm.NAME] and [seat.NAME]",
		     header, s ? "; did you mean [" : "", s ? s : "", s ? (dot ? "NAME]?" : "]?") : "");
		return;
	}
	if (!valid_name(name)) {
		PERR(p, "invalid name '%s' in [%s]: use 1 to %d letters, digits, '-' or '_'", name,
		     header, MAX_NAME);
		return;
	}
	struct config *cfg = p->cfg;
	ssize_t idx = -1;
	if (kind == SEC_MONITOR) {
		idx = find_or_add(p, (void **)&cfg->monitors, &cfg->n_monitors,
				  sizeof(*cfg->monitors), CONFIG_MAX_MONITORS, "monitor", name);
	} else if (kind == SEC_VM) {
		size_t before = cfg->n_vms;
		idx = find_or_add(p, (void **)&cfg->vms, &cfg->n_vms, sizeof(*cfg->vms),
				  CONFIG_MAX_VMS, "vm", name);
		if (idx >= 0 && cfg->n_vms > before)
			cfg->vms[idx].planes = 1;
	} else {
		idx = find_or_add(p, (void **)&cfg->seats, &cfg->n_seats, sizeof(*cfg->seats),
				  CONFIG_MAX_SEATS, "seat", name);
	}
	if (idx < 0)
		return;
	p->kind = kind;
	p->index = (size_t)idx;
}

static bool key_seen_twice(struct parser *p, const char *key, bool repeatable)
{
	for (size_t i = 0; i < p->n_keys; i++) {
		if (strcmp(p->keys[i].name, key) == 0) {
			if (repeatable)
				return false;
			PERR(p, "duplicate key '%s' in [%s]; it was first set at line %u", key, p->section,
			     p->keys[i].line);
			return true;
		}
	}
	if (p->n_keys < sizeof(p->keys) / sizeof(p->keys[0])) {
		snprintf(p->keys[p->n_keys].name, sizeof(p->keys[0].name), "%s", key);
		p->keys[p->n_keys++].line = p->line;
	}
	return false;
}

static void unknown_key(struct parser *p, const char *key, const char *const *known)
{
	const char *s = suggest(key, known);
	if (s)
		PERR(p, "unknown key '%s' in [%s]; did you mean '%s'?", key, p->section, s);
	else
		PERR(p, "unknown key '%s' in [%s]", key, p->section);
}

static int parse_log_level(const char *v)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err",
					     "warning", "notice", "info", "debug" };
	for (int i = 0; i < 8; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	uint32_t n;
	if (config_parse_u32(v, 0, 7, &n) == 0)
		return (int)n;
	return -1;
}

static void daemon_key(struct parser *p, const char *key, const char *value)
{
	struct config_daemon *d = &p->cfg->daemon;
	if (strcmp(key, "card") == 0)
		set_str(p, &d->card, value);
	else if (strcmp(key, "socket") == 0) {
		if (value[0] != '/')
			PERR(p, "socket must be an absolute path, not '%s'", value);
		else
			set_str(p, &d->socket_path, value);
	} else if (strcmp(key, "socket-group") == 0)
		set_str(p, &d->socket_group, value);
	else if (strcmp(key, "log-level") == 0) {
		int level = parse_log_level(value);
		if (level < 0)
			PERR(p, "log-level '%s' is not one of emerg, alert, crit, err, warning, "
				"notice, info, debug or 0..7", value);
		else
			d->log_level = level;
	} else
		unknown_key(p, key, daemon_keys);
}

static int parse_edid(const char *v, struct config_edid_match *out)
{
	char buf[64];
	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	char *product = strchr(buf, '/');
	if (!product)
		return -EINVAL;
	*product++ = '\0';
	char *serial = strchr(product, '/');
	if (serial)
		*serial++ = '\0';
	if (strlen(buf) != 3 || !isupper((unsigned char)buf[0]) || !isupper((unsigned char)buf[1]) ||
	    !isupper((unsigned char)buf[2]))
		return -EINVAL;
	struct config_edid_match m = { .set = true };
	memcpy(m.vendor, buf, 4);
	uint32_t n;
	if (config_parse_u32(product, 0, 0xffff, &n) < 0)
		return -EINVAL;
	m.product = (uint16_t)n;
	if (serial) {
		if (config_parse_u32(serial, 0, UINT32_MAX, &m.serial) < 0)
			return -EINVAL;
		m.has_serial = true;
	}
	*out = m;
	return 0;
}

static void monitor_key(struct parser *p, const char *key, const char *value)
{
	struct config_monitor *m = &p->cfg->monitors[p->index];
	if (strcmp(key, "connector") == 0)
		set_str(p, &m->connector, value);
	else if (strcmp(key, "edid") == 0) {
		if (parse_edid(value, &m->edid) < 0)
			PERR(p, "edid '%s' is not VENDOR/PRODUCT[/SERIAL], e.g. DEL/0xa0c4 or "
				"DEL/41156/12345", value);
	} else if (strcmp(key, "mode") == 0) {
		if (config_parse_mode(value, &m->mode) < 0)
			PERR(p, "mode '%s' is not WIDTHxHEIGHT[@REFRESH], e.g. 1920x1080@60", value);
	} else if (strcmp(key, "share") == 0) {
		if (strcmp(value, "exclusive") == 0)
			m->share = CONFIG_SHARE_EXCLUSIVE;
		else if (strcmp(value, "failover") == 0)
			m->share = CONFIG_SHARE_FAILOVER;
		else
			PERR(p, "share '%s' is not exclusive or failover", value);
	} else
		unknown_key(p, key, monitor_keys);
}

static bool valid_source(const char *v)
{
	if (strcmp(v, "client") == 0)
		return true;
	static const char *const schemes[] = { "fb:", "gvt-sysfs:", "vfio:" };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(schemes[i]);
		if (strncmp(v, schemes[i], n) == 0 && v[n] != '\0')
			return true;
	}
	return false;
}

static void owner_key(struct parser *p, struct config_vm *vm, const char *value)
{
	uint32_t uid;
	if (config_parse_u32(value, 0, UINT32_MAX - 1, &uid) == 0) {
		vm->owner_uid = uid;
	} else {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwnam_r(value, &pw, buf, sizeof(buf), &res) != 0 || !res) {
			PERR(p, "owner '%s' is neither a user on this system nor a numeric uid", value);
			return;
		}
		vm->owner_uid = res->pw_uid;
	}
	vm->has_owner = true;
	set_str(p, &vm->owner, value);
}

static void vm_key(struct parser *p, const char *key, const char *value)
{
	struct config_vm *vm = &p->cfg->vms[p->index];
	if (strcmp(key, "monitor") == 0) {
		if (set_str(p, &vm->monitor, value))
			vm->monitor_at = here(p);
	} else if (strcmp(key, "planes") == 0) {
		uint32_t n;
		if (config_parse_u32(value, 1, CONFIG_MAX_PLANES, &n) < 0)
			PERR(p, "planes '%s' is not a number from 1 to %d", value, CONFIG_MAX_PLANES);
		else
			vm->planes = n;
	} else if (strncmp(key, "source.", 7) == 0) {
		uint32_t k;
		if (config_parse_u32(key + 7, 0, CONFIG_MAX_PLANES - 1, &k) < 0)
			PERR(p, "'%s': the plane index must be 0 to %d", key, CONFIG_MAX_PLANES - 1);
		else if (!valid_source(value))
			PERR(p, "%s '%s' is not fb:ID, fb:PATH, gvt-sysfs:PATH, vfio:PATH or client",
			     key, value);
		else if (set_str(p, &vm->sources[k], value))
			vm->source_at[k] = here(p);
	} else if (strcmp(key, "scaling") == 0) {
		if (config_scaling_parse(value, &vm->scaling) < 0)
			PERR(p, "scaling '%s' is not fit, stretch, center or none", value);
	} else if (strcmp(key, "mode") == 0) {
		if (config_parse_mode(value, &vm->mode) < 0)
			PERR(p, "mode '%s' is not WIDTHxHEIGHT[@REFRESH], e.g. 1920x1080@60", value);
	} else if (strcmp(key, "owner") == 0) {
		owner_key(p, vm, value);
	} else if (strcmp(key, "input") == 0) {
		if (set_str(p, &vm->input, value))
			vm->input_at = here(p);
	} else if (strcmp(key, "socket") == 0) {
		if (config_parse_bool(value, &vm->socket) < 0)
			PERR(p, "socket '%s' is not yes or no", value);
	} else if (strcmp(key, "on-vm-exit") == 0) {
		if (strcmp(value, "keep") == 0)
			vm->on_vm_exit = CONFIG_ON_VM_EXIT_KEEP;
		else if (strcmp(value, "black") == 0)
			vm->on_vm_exit = CONFIG_ON_VM_EXIT_BLACK;
		else
			PERR(p, "on-vm-exit '%s' is not keep or black", value);
	} else
		unknown_key(p, key, vm_keys);
}

static bool push_word(struct parser *p, char ***arr, size_t *n, const char *word)
{
	if (*n >= 64) {
		PERR(p, "too many entries in [%s] (at most 64)", p->section);
		return false;
	}
	char **grown = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!grown) {
		p->failed_alloc = true;
		return false;
	}
	*arr = grown;
	(*arr)[*n] = strdup(word);
	if (!(*arr)[*n]) {
		p->failed_alloc = true;
		return false;
	}
	(*n)++;
	return true;
}

static void seat_key(struct parser *p, const char *key, const char *value)
{
	struct config_seat *seat = &p->cfg->seats[p->index];
	if (strcmp(key, "monitors") == 0) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", value);
		for (char *save = NULL, *w = strtok_r(buf, " ,", &save); w; w = strtok_r(NULL, " ,", &save))
			if (!push_word(p, &seat->monitors, &seat->n_monitors, w))
				break;
	} else if (strcmp(key, "input") == 0) {
		push_word(p, &seat->inputs, &seat->n_inputs, value);
	} else if (strncmp(key, "hotkey.", 7) == 0) {
		char **dst = strcmp(key, "hotkey.next") == 0	? &seat->hotkey_next
			     : strcmp(key, "hotkey.prev") == 0	? &seat->hotkey_prev
			     : strcmp(key, "hotkey.release") == 0 ? &seat->hotkey_release
								  : NULL;
		if (!dst)
			unknown_key(p, key, seat_keys);
		else if (!config_hotkey_valid(value))
			PERR(p, "%s '%s' is not a key combination such as ctrl+alt+right", key, value);
		else
			set_str(p, dst, value);
	} else
		unknown_key(p, key, seat_keys);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	if (p->kind == SEC_BAD)
		return 1;
	if (p->kind == SEC_NONE) {
		PERR(p, "'%s' appears before any [section]", name);
		return 1;
	}
	bool repeatable = p->kind == SEC_SEAT && strcmp(name, "input") == 0;
	if (key_seen_twice(p, name, repeatable))
		return 1;
	switch (p->kind) {
	case SEC_DAEMON:
		daemon_key(p, name, value);
		break;
	case SEC_MONITOR:
		monitor_key(p, name, value);
		break;
	case SEC_VM:
		vm_key(p, name, value);
		break;
	case SEC_SEAT:
		seat_key(p, name, value);
		break;
	case SEC_NONE:
	case SEC_BAD:
		break;
	}
	(void)section;
	return 1;
}

static char *next_raw_line(struct parser *p, char *buf, int size, bool *too_long)
{
	*too_long = false;
	if (p->f) {
		if (!fgets(buf, size, p->f))
			return NULL;
		size_t n = strlen(buf);
		if (n == (size_t)size - 1 && buf[n - 1] != '\n') {
			*too_long = true;
			int c;
			while ((c = fgetc(p->f)) != EOF && c != '\n')
				;
		}
		return buf;
	}
	if (!p->text || *p->text == '\0')
		return NULL;
	const char *nl = strchr(p->text, '\n');
	size_t len = nl ? (size_t)(nl - p->text) + 1 : strlen(p->text);
	if (len > (size_t)size - 1) {
		*too_long = true;
		len = (size_t)size - 1;
	}
	memcpy(buf, p->text, len);
	buf[len] = '\0';
	p->text = nl ? nl + 1 : p->text + strlen(p->text);
	return buf;
}

/* inih's line source: numbers lines, handles headers and syntax itself,
 * and hands inih only lines it can take as they are. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	bool too_long;
	if (!next_raw_line(p, str, num, &too_long))
		return NULL;
	p->line++;
	if (too_long) {
		PERR(p, "line too long (at most %d characters)", num - 2);
		strcpy(str, "\n");
		return str;
	}
	char *s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	memmove(str, s, strlen(s) + 1);
	size_t n = strlen(str);
	while (n > 0 && isspace((unsigned char)str[n - 1]))
		str[--n] = '\0';
	if (n == 0 || str[0] == ';' || str[0] == '#') {
		strcpy(str, "\n");
		return str;
	}
	if (str[0] == '[') {
		char *end = strchr(str, ']');
		if (!end) {
			PERR(p, "section header without ']'");
			p->kind = SEC_BAD;
		} else {
			*end = '\0';
			open_section(p, str + 1);
		}
		strcpy(str, "\n");
		return str;
	}
	if (!strchr(str, '=') && !strchr(str, ':')) {
		PERR(p, "expected 'key = value', got '%s'", str);
		strcpy(str, "\n");
		return str;
	}
	/* inih still needs the section for its own bookkeeping. */
	if (n + 2 < (size_t)num) {
		str[n] = '\n';
		str[n + 1] = '\0';
	}
	return str;
}

static void parse_one(struct parser *p)
{
	p->line = 0;
	p->kind = SEC_NONE;
	p->n_keys = 0;
	free(p->sections);
	p->sections = NULL;
	p->n_sections = 0;
	int r = ini_parse_stream(reader, p, handler, p);
	if (r == -2)
		p->failed_alloc = true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_dropins(struct parser *p, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			config_diags_add(p->diags, CONFIG_ERROR, dir, 0, "cannot read the directory: %s",
					 strerror(errno));
		return;
	}
	char *names[MAX_DROPINS];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		if (n == MAX_DROPINS) {
			config_diags_add(p->diags, CONFIG_ERROR, dir, 0,
					 "more than %d drop-in files", MAX_DROPINS);
			break;
		}
		if (!(names[n] = strdup(de->d_name))) {
			p->failed_alloc = true;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		p->f = fopen(path, "re");
		if (!p->f) {
			config_diags_add(p->diags, CONFIG_ERROR, path, 0, "cannot open: %s", strerror(errno));
			continue;
		}
		p->file = path;
		parse_one(p);
		fclose(p->f);
		p->f = NULL;
	}
}

static struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (cfg)
		cfg->daemon.log_level = LOG_INFO;
	return cfg;
}

static int finish(struct parser *p, struct config **out)
{
	free(p->sections);
	if (p->failed_alloc) {
		config_free(p->cfg);
		return -ENOMEM;
	}
	config_validate(p->cfg, p->diags);
	if (p->diags->n_errors > 0) {
		config_free(p->cfg);
		return -EINVAL;
	}
	*out = p->cfg;
	return 0;
}

int config_load(const char *file, const char *dropin_dir, struct config **out,
		struct config_diags *diags)
{
	struct parser p = { .cfg = config_new(), .diags = diags, .file = file };
	if (!p.cfg)
		return -ENOMEM;
	p.f = fopen(file, "re");
	if (!p.f) {
		config_diags_add(diags, CONFIG_ERROR, file, 0, "cannot open: %s", strerror(errno));
	} else {
		parse_one(&p);
		fclose(p.f);
		p.f = NULL;
	}
	if (dropin_dir)
		parse_dropins(&p, dropin_dir);
	return finish(&p, out);
}

int config_load_string(const char *text, const char *name, struct config **out,
		       struct config_diags *diags)
{
	struct parser p = { .cfg = config_new(), .diags = diags, .file = name, .text = text };
	if (!p.cfg)
		return -ENOMEM;
	parse_one(&p);
	return finish(&p, out);
}

static void free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->daemon.card);
	free(cfg->daemon.socket_path);
	free(cfg->daemon.socket_group);
	for (size_t i = 0; i < cfg->n_monitors; i++) {
		free(cfg->monitors[i].name);
		free(cfg->monitors[i].connector);
	}
	free(cfg->monitors);
	for (size_t i = 0; i < cfg->n_vms; i++) {
		struct config_vm *vm = &cfg->vms[i];
		free(vm->name);
		free(vm->monitor);
		free(vm->owner);
		free(vm->input);
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			free(vm->sources[k]);
	}
	free(cfg->vms);
	for (size_t i = 0; i < cfg->n_seats; i++) {
		struct config_seat *s = &cfg->seats[i];
		free(s->name);
		free_words(s->monitors, s->n_monitors);
		free_words(s->inputs, s->n_inputs);
		free(s->hotkey_next);
		free(s->hotkey_prev);
		free(s->hotkey_release);
	}
	free(cfg->seats);
	free_words(cfg->files, cfg->n_files);
	free(cfg);
}

const struct config_monitor *config_monitor_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_monitors; i++)
		if (strcmp(cfg->monitors[i].name, name) == 0)
			return &cfg->monitors[i];
	return NULL;
}

const struct config_vm *config_vm_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_vms; i++)
		if (strcmp(cfg->vms[i].name, name) == 0)
			return &cfg->vms[i];
	return NULL;
}
