/* SPDX-License-Identifier: MIT */
/*
 * Reading one file of the layout. inih drives the parse, but our reader
 * feeds it, because Debian's inih passes no line number to the handler
 * (INI_HANDLER_LINENO is 0) and has a 200-byte line buffer. So the reader:
 *  - numbers physical lines; the handler runs before the next line is
 *    read, so p->line is the line of every key it sees;
 *  - opens sections itself (inih's section is always ""), so a message
 *    about a header has the header's line;
 *  - reports what inih would only count as "an error somewhere": a line
 *    without '=', a header without ']', a NUL byte, an over-long line;
 *  - strips indentation, which inih would otherwise take as a
 *    continuation of the previous value;
 *  - hands inih only key lines that fit its buffer; a longer one (up to
 *    CONFIG_MAX_LINE) is split here by inih's rules.
 */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"
#include "config/suggest.h"

static const struct {
	const char *name;
	enum section_kind kind;
	size_t max;
} kinds[] = {
	{ "daemon", SECTION_DAEMON, 1 },
	{ "monitor", SECTION_MONITOR, CONFIG_MAX_MONITORS },
	{ "vm", SECTION_VM, CONFIG_MAX_VMS },
	{ "seat", SECTION_SEAT, CONFIG_MAX_SEATS },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

bool config_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > CONFIG_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
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

struct config_where parser_where(struct parser *p)
{
	return (struct config_where){ p->file, p->line };
}

bool parser_set_str(struct parser *p, char **dst, const char *value)
{
	char *copy = strdup(value);
	if (!copy) {
		p->oom = true;
		return false;
	}
	free(*dst);
	*dst = copy;
	return true;
}

bool parser_seen_add(struct parser *p, struct seen_list *l, const char *name)
{
	struct seen *items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items) {
		p->oom = true;
		return false;
	}
	l->items = items;
	char *copy = strdup(name);
	if (!copy) {
		p->oom = true;
		return false;
	}
	l->items[l->n++] = (struct seen){ copy, p->line };
	return true;
}

static void seen_clear(struct seen_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	*l = (struct seen_list){ 0 };
}

void *parser_entry(struct parser *p)
{
	if (p->scratch)
		return &p->tmp;
	switch (p->kind) {
	case SECTION_DAEMON:
		return &p->cfg->daemon;
	case SECTION_MONITOR:
		return &p->cfg->monitors[p->index];
	case SECTION_VM:
		return &p->cfg->vms[p->index];
	case SECTION_SEAT:
		return &p->cfg->seats[p->index];
	case SECTION_NONE:
	case SECTION_SKIP:
		break;
	}
	return NULL;
}

static void close_section(struct parser *p)
{
	if (p->scratch) {
		switch (p->kind) {
		case SECTION_DAEMON:
			config_daemon_fini(&p->tmp.daemon);
			break;
		case SECTION_MONITOR:
			config_monitor_fini(&p->tmp.monitor);
			break;
		case SECTION_VM:
			config_vm_fini(&p->tmp.vm);
			break;
		case SECTION_SEAT:
			config_seat_fini(&p->tmp.seat);
			break;
		case SECTION_NONE:
		case SECTION_SKIP:
			break;
		}
		memset(&p->tmp, 0, sizeof(p->tmp));
	}
	p->scratch = false;
	p->kind = SECTION_NONE;
	free(p->section);
	p->section = NULL;
	seen_clear(&p->keys);
}

static void init_entry(enum section_kind kind, void *entry)
{
	switch (kind) {
	case SECTION_DAEMON:
		config_daemon_init(entry);
		break;
	case SECTION_MONITOR:
		config_monitor_init(entry);
		break;
	case SECTION_VM:
		config_vm_init(entry);
		break;
	case SECTION_SEAT:
		config_seat_init(entry);
		break;
	case SECTION_NONE:
	case SECTION_SKIP:
		break;
	}
}

/* Monitor, vm and seat entries all begin with name and where. */
struct entry_head {
	char *name;
	struct config_where where;
};
_Static_assert(offsetof(struct config_monitor, where) == offsetof(struct entry_head, where), "head");
_Static_assert(offsetof(struct config_vm, where) == offsetof(struct entry_head, where), "head");
_Static_assert(offsetof(struct config_seat, where) == offsetof(struct entry_head, where), "head");

/* The layout's array of one kind of entry, seen generically. */
static void entries_get(const struct config *cfg, enum section_kind kind, void **arr, size_t *n,
			size_t *size)
{
	switch (kind) {
	case SECTION_MONITOR:
		*arr = cfg->monitors, *n = cfg->n_monitors, *size = sizeof(*cfg->monitors);
		return;
	case SECTION_VM:
		*arr = cfg->vms, *n = cfg->n_vms, *size = sizeof(*cfg->vms);
		return;
	case SECTION_SEAT:
		*arr = cfg->seats, *n = cfg->n_seats, *size = sizeof(*cfg->seats);
		return;
	case SECTION_NONE:
	case SECTION_SKIP:
	case SECTION_DAEMON:
		break;
	}
	*arr = NULL, *n = 0, *size = 0;
}

static void entries_set(struct config *cfg, enum section_kind kind, void *arr, size_t n)
{
	switch (kind) {
	case SECTION_MONITOR:
		cfg->monitors = arr, cfg->n_monitors = n;
		return;
	case SECTION_VM:
		cfg->vms = arr, cfg->n_vms = n;
		return;
	case SECTION_SEAT:
		cfg->seats = arr, cfg->n_seats = n;
		return;
	case SECTION_NONE:
	case SECTION_SKIP:
	case SECTION_DAEMON:
		break;
	}
}

/* Finds entry NAME of kind k in the layout, adding it when new. False
 * when it cannot be added (reported). */
static bool find_or_add(struct parser *p, size_t k, const char *name)
{
	void *arr;
	size_t n, size;
	entries_get(p->cfg, kinds[k].kind, &arr, &n, &size);
	for (size_t i = 0; i < n; i++) {
		struct entry_head h;
		memcpy(&h, (char *)arr + i * size, sizeof(h));
		if (strcmp(h.name, name) == 0) {
			p->index = i;
			return true;
		}
	}
	if (n >= kinds[k].max) {
		PERR(p, "too many [%s.*] sections (at most %zu); [%s.%s] is ignored", kinds[k].name,
		     kinds[k].max, kinds[k].name, name);
		return false;
	}
	struct entry_head h = { strdup(name), parser_where(p) };
	char *grown = h.name ? realloc(arr, (n + 1) * size) : NULL;
	if (!grown) {
		free(h.name);
		p->oom = true;
		return false;
	}
	void *entry = grown + n * size;
	memset(entry, 0, size);
	init_entry(kinds[k].kind, entry);
	memcpy(entry, &h, sizeof(h));
	entries_set(p->cfg, kinds[k].kind, grown, n + 1);
	p->index = n;
	return true;
}

/* header's kind (its first len characters) is none we know. */
static void unknown_section(struct parser *p, const char *header, size_t len, const char *name)
{
	const char *known[N_KINDS];
	for (size_t i = 0; i < N_KINDS; i++)
		known[i] = kinds[i].name;
	char word[CONFIG_MAX_NAME * 2];
	snprintf(word, sizeof(word), "%.*s", (int)len, header);
	const char *s = len < sizeof(word) ? config_suggest(word, known, N_KINDS) : NULL;
	if (s && strcmp(s, "daemon") == 0)
		PERR(p, "unknown section [%s]; did you mean [daemon]?", header);
	else if (s)
		PERR(p, "unknown section [%s]; did you mean [%s.%s]?", header, s, name ? name : "NAME");
	else
		PERR(p, "unknown section [%s]; sections are [daemon], [monitor.NAME], [vm.NAME] "
			"and [seat.NAME]", header);
}

/* Opens [header]. A section that cannot change the layout still gets its
 * keys checked, in scratch, so that every problem is reported at once. */
static void open_section(struct parser *p, const char *header)
{
	close_section(p);
	p->kind = SECTION_SKIP;
	if (!parser_set_str(p, &p->section, header))
		return;

	const char *dot = strchr(header, '.');
	size_t len = dot ? (size_t)(dot - header) : strlen(header);
	const char *name = dot ? dot + 1 : NULL;
	size_t k = 0;
	while (k < N_KINDS && !(strlen(kinds[k].name) == len && strncmp(header, kinds[k].name, len) == 0))
		k++;
	if (k == N_KINDS) {
		unknown_section(p, header, len, name);
		return;
	}
	p->kind = kinds[k].kind;
	p->scratch = true;
	memset(&p->tmp, 0, sizeof(p->tmp));
	init_entry(p->kind, &p->tmp);

	bool usable = true;
	for (size_t i = 0; i < p->sections.n; i++) {
		if (strcmp(p->sections.items[i].name, header) == 0) {
			PERR(p, "duplicate section [%s]; it was first defined at line %u", header,
			     p->sections.items[i].line);
			usable = false;
			break;
		}
	}
	if (usable && !parser_seen_add(p, &p->sections, header))
		return;

	if (p->kind == SECTION_DAEMON) {
		if (name) {
			PERR(p, "[daemon] takes no NAME: write [daemon], not [%s]", header);
			usable = false;
		}
	} else if (!name) {
		PERR(p, "[%s] needs a NAME: [%s.NAME]", header, header);
		usable = false;
	} else if (!config_name_valid(name)) {
		PERR(p, "invalid NAME '%s' in [%s]: use 1 to %d letters, digits, '-' or '_'", name,
		     header, CONFIG_MAX_NAME);
		usable = false;
	}
	if (!usable)
		return;
	if (p->kind != SECTION_DAEMON && !find_or_add(p, k, name))
		return;
	p->scratch = false; /* tmp holds nothing yet: init allocates nothing */
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim(char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* inih's rule: the first of `chars`, or an inline comment (';' after a
 * space); the end of s when neither. */
static char *find_or_comment(char *s, const char *chars)
{
	bool after_space = false;
	for (; *s; s++) {
		if (chars && strchr(chars, *s))
			break;
		if (after_space && *s == ';')
			break;
		after_space = is_space(*s);
	}
	return s;
}

static void header_line(struct parser *p, char *s)
{
	char *end = strchr(s, ']');
	if (!end) {
		PERR(p, "section header without ']'");
		close_section(p);
		p->kind = SECTION_SKIP;
		return;
	}
	*end = '\0';
	char *rest = trim(end + 1);
	char *header = trim(s + 1);
	if (*rest && *rest != ';' && *rest != '#')
		PERR(p, "unexpected text '%s' after [%s]", rest, header);
	open_section(p, header);
}

/* A key line too long for inih: split as inih would, and handle it here. */
static void long_key_line(struct parser *p, char *s, char *sep)
{
	*sep = '\0';
	char *value = sep + 1;
	*find_or_comment(value, NULL) = '\0';
	config_key(p, trim(s), trim(value));
}

static int next_char(struct parser *p)
{
	if (p->f)
		return getc(p->f);
	if (!p->text || *p->text == '\0')
		return EOF;
	return (unsigned char)*p->text++;
}

/* One physical line into p->buf, without its '\n'. False at the end. */
static bool read_line(struct parser *p, bool *too_long, bool *nul)
{
	size_t n = 0;
	bool any = false;
	int c;
	*too_long = *nul = false;
	while ((c = next_char(p)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = true;
		else if (n < CONFIG_MAX_LINE)
			p->buf[n++] = (char)c;
		else
			*too_long = true;
	}
	p->buf[n] = '\0';
	if (c == EOF && p->f && ferror(p->f))
		p->read_errno = errno ? errno : EIO;
	return any;
}

/* inih's line source; returns only key lines that fit inih's buffer. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	bool too_long, nul;
	while (!p->oom && read_line(p, &too_long, &nul)) {
		p->line++;
		char *s = p->buf;
		if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3; /* a UTF-8 byte order mark */
		if (too_long) {
			PERR(p, "line too long (at most %d characters)", CONFIG_MAX_LINE);
			continue;
		}
		if (nul) {
			PERR(p, "line contains a NUL byte");
			continue;
		}
		s = trim(s);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			header_line(p, s);
			continue;
		}
		char *sep = find_or_comment(s, "=:");
		if (*sep != '=' && *sep != ':') {
			PERR(p, "expected 'key = value', got '%s'", s);
			continue;
		}
		if (sep == s) {
			PERR(p, "missing key name before '%c'", *sep);
			continue;
		}
		size_t n = strlen(s);
		if (num < 3 || n + 2 > (size_t)num) {
			long_key_line(p, s, sep);
			continue;
		}
		memcpy(str, s, n);
		str[n] = '\n';
		str[n + 1] = '\0';
		return str;
	}
	return NULL;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	(void)section; /* always "": headers never reach inih */
	config_key(user, name, value);
	return 1; /* problems are reported, never by failing the parse */
}

void parser_read(struct parser *p, const char *file)
{
	p->file = remember_file(p->cfg, file);
	if (!p->file) {
		p->oom = true;
		return;
	}
	if (!p->buf && !(p->buf = malloc(CONFIG_MAX_LINE + 1))) {
		p->oom = true;
		return;
	}
	p->line = 0;
	p->read_errno = 0;
	close_section(p);
	seen_clear(&p->sections);
	if (ini_parse_stream(reader, p, handler, p) == -2)
		p->oom = true;
	/* Messages after the last line are about the whole file. */
	p->line = 0;
	if (p->read_errno)
		PERR(p, "cannot read: %s", strerror(p->read_errno));
	close_section(p);
	seen_clear(&p->sections);
}

void parser_fini(struct parser *p)
{
	close_section(p);
	seen_clear(&p->sections);
	free(p->buf);
	p->buf = NULL;
}
