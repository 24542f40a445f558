/* SPDX-License-Identifier: MIT */
/*
 * vgpu-assign: the command line for directflipd (vgpu-assign(1): docs/man/vgpu-assign.1.scd).
 * Every listing asks the daemon for one JSON answer and renders it either
 * as a table or, with --json, as it is: the two cannot disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/number.h"
#include "config/suggest.h"
#include "directflip/client.h"

/* Exit statuses (vgpu-assign(1), docs/man/vgpu-assign.1.scd, "EXIT STATUS"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,     /* the daemon refused or failed the request */
	EXIT_USAGE = 2,
	EXIT_NO_DAEMON = 3,  /* cannot connect or talk to directflipd */
	EXIT_DENIED = 4,     /* EPERM, EACCES */
	EXIT_NOT_FOUND = 5,  /* no such vm, monitor or connector */
	EXIT_BUSY = 6,       /* taken, or not available now (EBUSY, EAGAIN) */
};

struct opts {
	const char *socket;
	bool json;
	bool help;
};

struct command {
	const char *name;
	const char *args;
	const char *summary; /* one line, a whole sentence, for the command list */
	const char *help;
	int (*run)(struct opts *o, int argc, char **argv);
};

static const struct command *find_command(const char *name);

static int exit_for(int code)
{
	switch (-code) {
	case EPERM:
	case EACCES:
		return EXIT_DENIED;
	case ENOENT:
	case ENODEV:
		return EXIT_NOT_FOUND;
	case EBUSY:
	case EAGAIN:
		return EXIT_BUSY;
	case ECONNRESET:
	case ETIMEDOUT:
		return EXIT_NO_DAEMON;
	}
	return EXIT_FAILED;
}

/* Set when --json is anywhere before "--": errors are JSON then too. */
static bool json_errors;

/* Every failure goes out here, once: a line on stderr, or under --json one
 * JSON object on stderr, {"error": {"command", "code", "message", "exit"}}
 * (stdout carries only answers). code is an errno name (ENOENT) or "usage". */
static int report(int status, const char *cmd, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int report(int status, const char *cmd, const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (json_errors) {
		struct json_object *e = json_object_new_object(), *o = json_object_new_object();
		json_object_object_add(e, "command", cmd ? json_object_new_string(cmd) : NULL);
		json_object_object_add(e, "code", json_object_new_string(code));
		json_object_object_add(e, "message", json_object_new_string(msg));
		json_object_object_add(e, "exit", json_object_new_int(status));
		json_object_object_add(o, "error", e);
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (status == EXIT_USAGE) {
		fprintf(stderr, "vgpu-assign%s%s: %s\nTry 'vgpu-assign %s%s--help'.\n", cmd ? " " : "",
			cmd ? cmd : "", msg, cmd ? cmd : "", cmd ? " " : "");
	} else {
		fprintf(stderr, "vgpu-assign%s%s: %s (%s)\n", cmd ? " " : "", cmd ? cmd : "", msg, code);
	}
	return status;
}

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int st = report(EXIT_USAGE, cmd, "usage", fmt, ap);
	va_end(ap);
	return st;
}

static int error(int status, const char *cmd, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int error(int status, const char *cmd, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(status, cmd, code, fmt, ap);
	va_end(ap);
	return status;
}

/* After getopt_long (opterr = 0, optstring starting with ':') returned
 * c for an option it could not take. */
static int bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", arg);
	if (optopt && !(arg[0] == '-' && arg[1] == '-'))
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

/* Commands that take nothing: anything left is an unknown option or an
 * extra argument. */
static int no_args(const char *cmd, int argc, char **argv)
{
	if (argc < 2)
		return EXIT_OK;
	if (argv[1][0] == '-' && argv[1][1])
		return usage_error(cmd, "unknown option '%s'", argv[1]);
	return usage_error(cmd, "unexpected argument '%s'", argv[1]);
}

static const char *socket_path(const struct opts *o)
{
	if (o->socket)
		return o->socket;
	const char *env = getenv(DF_SOCKET_ENV);
	return env && *env ? env : DF_SOCKET_DEFAULT;
}

static int open_client(const struct opts *o, const char *cmd, struct df_client **c)
{
	const char *path = socket_path(o);
	int r = df_client_connect(path, c);
	if (r == -ENOENT)
		return error(EXIT_NO_DAEMON, cmd, "ENOENT", "no socket at %s: is directflipd "
				"running? (--socket or $%s name another path)", path, DF_SOCKET_ENV);
	if (r == -ECONNREFUSED)
		return error(EXIT_NO_DAEMON, cmd, "ECONNREFUSED", "nothing listens on %s (a stale "
			     "socket): start directflipd", path);
	if (r == -EACCES)
		return error(EXIT_NO_DAEMON, cmd, "EACCES", "%s: permission denied; ask an "
			     "administrator for access", path);
	if (r < 0)
		return error(EXIT_NO_DAEMON, cmd, df_error_name(r), "cannot connect to %s: %s", path,
			     strerror(-r));
	r = df_client_hello(*c, "vgpu-assign", NULL);
	if (r < 0) {
		/* Refused at connect (a vm's socket, not its owner): denied, not absent. */
		int st = r == -EPERM || r == -EACCES ? EXIT_DENIED
			 : r == -EPROTONOSUPPORT     ? EXIT_FAILED
						     : EXIT_NO_DAEMON;
		error(st, cmd, df_error_name(r), "%s: %s", path, df_client_error(*c));
		df_client_close(*c);
		*c = NULL;
		return st;
	}
	return EXIT_OK;
}

/* One request; on failure prints the daemon's message and its code name. */
static int call(const struct opts *o, const char *cmd, const char *method,
		struct json_object *params, struct json_object **result)
{
	struct df_client *c = NULL;
	int st = open_client(o, cmd, &c);
	if (st != EXIT_OK)
		return st;
	int r = df_client_call(c, method, params, result);
	if (r < 0)
		st = error(exit_for(r), cmd, df_error_name(r), "%s", df_client_error(c));
	df_client_close(c);
	return st;
}

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ---- field access for the tables ---- */

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	return v && !json_object_is_type(v, json_type_null) ? json_object_get_string(v) : "-";
}

static const char *ids(struct json_object *arr, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; arr && i < json_object_array_length(arr) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
				      json_object_get_string(json_object_array_get_idx(arr, i)));
	return buf[0] ? buf : "-";
}

static const char *mode_text(struct json_object *m, char *buf, size_t len)
{
	if (!m || json_object_is_type(m, json_type_null))
		return "-";
	snprintf(buf, len, "%sx%s@%s", str(m, "width"), str(m, "height"), str(m, "refresh"));
	return buf;
}

/* ---- subcommands ---- */

/* A list request: the answer as JSON with --json, else as a table. */
static int list(struct opts *o, int argc, char **argv, const char *method,
		void (*table)(struct json_object *res))
{
	int st = no_args(argv[0], argc, argv);
	if (st != EXIT_OK)
		return st;
	struct json_object *res = NULL;
	st = call(o, argv[0], method, NULL, &res);
	if (st != EXIT_OK)
		return st;
	if (o->json)
		print_json(res);
	else
		table(res);
	json_object_put(res);
	return EXIT_OK;
}

static void status_table(struct json_object *res)
{
	static const char *const keys[] = { "server", "pid", "card", "config", "dropin_dir",
					    "socket", "state_file", "vms", "leased",
					    "runtime_bindings", "clients", NULL };
	for (size_t i = 0; keys[i]; i++)
		printf("%-17s %s\n", keys[i], str(res, keys[i]));
	/* "focus desk=vm1 lab=host": which VM each seat's input goes to. */
	struct json_object *focus = get(res, "focus");
	if (focus && json_object_is_type(focus, json_type_object)) {
		printf("%-17s", "focus");
		json_object_object_foreach(focus, seat, vm)
			printf(" %s=%s", seat, vm ? json_object_get_string(vm) : "host");
		printf("\n");
	}
}

static int cmd_status(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, "status", status_table);
}

static void monitors_table(struct json_object *res)
{
	struct json_object *mons = get(res, "monitors");
	printf("%-12s %-13s %-10s %-8s %-22s %s\n", "CONNECTOR", "STATUS", "MONITOR", "VM", "EDID",
	       "MODES");
	for (size_t i = 0; mons && i < json_object_array_length(mons); i++) {
		struct json_object *m = json_object_array_get_idx(mons, i);
		struct json_object *e = get(m, "edid");
		char edid[64] = "-";
		if (e && !json_object_is_type(e, json_type_null))
			snprintf(edid, sizeof(edid), "%s/%s/%s", str(e, "vendor"), str(e, "product"),
				 str(e, "serial"));
		struct json_object *modes = get(m, "modes");
		size_t n = modes ? json_object_array_length(modes) : 0;
		char mode[48] = "-", best[64] = "-";
		for (size_t k = 0; k < n; k++) {
			struct json_object *md = json_object_array_get_idx(modes, k);
			if (k == 0 || json_object_get_boolean(get(md, "preferred")))
				snprintf(best, sizeof(best), "%s", mode_text(md, mode, sizeof(mode)));
		}
		char more[32] = "";
		if (n > 1)
			snprintf(more, sizeof(more), " (+%zu more)", n - 1);
		printf("%-12s %-13s %-10s %-8s %-22s %s%s\n", str(m, "connector"), str(m, "status"),
		       str(m, "monitor"), str(m, "vm"), edid, best, more);
	}
}

static int cmd_monitors(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, "list-monitors", monitors_table);
}

static void vms_table(struct json_object *res)
{
	struct json_object *vms = get(res, "vms");
	printf("%-10s %-8s %-10s %-6s %-10s %-7s %s\n", "VM", "STATE", "MONITOR", "PLANES",
	       "CONNECTOR", "OWNER", "ERROR");
	for (size_t i = 0; vms && i < json_object_array_length(vms); i++) {
		struct json_object *v = json_object_array_get_idx(vms, i);
		struct json_object *lease = get(v, "lease");
		char mon[48];
		snprintf(mon, sizeof(mon), "%s%s", str(v, "monitor"),
			 json_object_get_boolean(get(v, "runtime")) ? "*" : "");
		printf("%-10s %-8s %-10s %-6s %-10s %-7s %s\n", str(v, "name"), str(v, "state"), mon,
		       str(v, "planes"), str(lease, "connector"), str(v, "owner"), str(v, "error"));
	}
	printf("(* bound at run time by vgpu-assign)\n");
	/* The virtual input devices a VMM attaches (QEMU: -object input-linux,evdev=PATH). */
	for (size_t i = 0; vms && i < json_object_array_length(vms); i++) {
		struct json_object *v = json_object_array_get_idx(vms, i);
		struct json_object *in = get(v, "input");
		if (!in || json_object_is_type(in, json_type_null))
			continue;
		printf("%s input: seat %s%s, keyboard %s, pointer %s, tablet %s\n", str(v, "name"),
		       str(in, "seat"), json_object_get_boolean(get(in, "focused")) ? " (focused)" : "",
		       str(get(in, "keyboard"), "link"), str(get(in, "pointer"), "link"),
		       str(get(in, "tablet"), "link"));
	}
}

static int cmd_vms(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, "list-vms", vms_table);
}

static void leases_table(struct json_object *res)
{
	struct json_object *leases = get(res, "leases");
	printf("%-10s %-10s %-10s %-6s %-10s %-6s %-7s %s\n", "VM", "MONITOR", "CONNECTOR", "CRTC",
	       "PLANES", "CURSOR", "LESSEE", "MODE");
	for (size_t i = 0; leases && i < json_object_array_length(leases); i++) {
		struct json_object *l = json_object_array_get_idx(leases, i);
		char planes[128], mode[48];
		printf("%-10s %-10s %-10s %-6s %-10s %-6s %-7s %s\n", str(l, "vm"), str(l, "monitor"),
		       str(l, "connector"), str(l, "crtc"),
		       ids(get(l, "planes"), planes, sizeof(planes)), str(l, "cursor"),
		       str(l, "lessee"), mode_text(get(l, "mode"), mode, sizeof(mode)));
	}
	if (!leases || json_object_array_length(leases) == 0)
		printf("(no leases)\n");
}

static int cmd_leases(struct opts *o, int argc, char **argv)
{
	return list(o, argc, argv, "list-leases", leases_table);
}

static int parse_count(const char *cmd, const char *what, const char *s, uint32_t min,
		       uint32_t max, uint32_t *out)
{
	if (config_parse_u32(s, min, max, out) < 0)
		return usage_error(cmd, "%s '%s' is not a number from %u to %u", what, s, min, max);
	return EXIT_OK;
}

/* Prints what a change did; the JSON answer with --json. */
static int change(struct opts *o, const char *cmd, const char *method, struct json_object *p,
		  const char *done)
{
	struct json_object *res = NULL;
	int st = call(o, cmd, method, p, &res);
	json_object_put(p);
	if (st != EXIT_OK)
		return st;
	if (o->json)
		print_json(res);
	else
		printf("%s\n", done);
	json_object_put(res);
	return EXIT_OK;
}

static int cmd_bind(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "planes", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "scaling", required_argument, NULL, 's' },
		{ "permanent", no_argument, NULL, 'P' },
		{ 0 },
	};
	uint32_t planes = 0;
	const char *mode = NULL, *scaling = NULL;
	bool permanent = false;
	int c;
	optind = 1;
	/* Options may follow VM and MONITOR (GNU argument order). */
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_count("bind", "--planes", optarg, 1, 8, &planes) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case 'm': {
			struct config_mode m;
			if (strcmp(optarg, "preferred") != 0 && config_parse_mode(optarg, &m) < 0)
				return usage_error("bind", "--mode '%s' is not WIDTHxHEIGHT[@REFRESH] "
							   "(e.g. 1920x1080@60) or preferred",
						   optarg);
			mode = optarg;
			break;
		}
		case 's':
			if (strcmp(optarg, "fit") && strcmp(optarg, "stretch") &&
			    strcmp(optarg, "center") && strcmp(optarg, "none"))
				return usage_error("bind", "--scaling '%s' is not fit, stretch, center or none",
						   optarg);
			scaling = optarg;
			break;
		case 'P':
			permanent = true;
			break;
		default:
			return bad_option("bind", c, argv);
		}
	}
	if (argc - optind < 2)
		return usage_error("bind", "%s", "needs VM and MONITOR");
	if (argc - optind > 2)
		return usage_error("bind", "unexpected argument '%s'", argv[optind + 2]);
	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "vm", json_object_new_string(argv[optind]));
	json_object_object_add(p, "monitor", json_object_new_string(argv[optind + 1]));
	if (planes)
		json_object_object_add(p, "planes", json_object_new_int((int)planes));
	if (mode)
		json_object_object_add(p, "mode", json_object_new_string(mode));
	if (scaling)
		json_object_object_add(p, "scaling", json_object_new_string(scaling));
	if (permanent)
		json_object_object_add(p, "permanent", json_object_new_boolean(true));
	char done[256];
	snprintf(done, sizeof(done), "vm %s bound to %s%s", argv[optind], argv[optind + 1],
		 permanent ? " (written to the layout's drop-in directory)" : "");
	return change(o, "bind", "bind", p, done);
}

static int cmd_unbind(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "reset", no_argument, NULL, 'r' },
		{ 0 },
	};
	bool reset = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		if (c != 'r')
			return bad_option("unbind", c, argv);
		reset = true;
	}
	if (argc - optind < 1)
		return usage_error("unbind", "%s", "needs VM");
	if (argc - optind > 1)
		return usage_error("unbind", "unexpected argument '%s'", argv[optind + 1]);
	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "vm", json_object_new_string(argv[optind]));
	if (reset)
		json_object_object_add(p, "reset", json_object_new_boolean(true));
	char done[160];
	snprintf(done, sizeof(done), reset ? "vm %s follows the layout again" : "vm %s unbound",
		 argv[optind]);
	return change(o, "unbind", "unbind", p, done);
}

static int cmd_map(struct opts *o, int argc, char **argv)
{
	optind = 1;
	int c = getopt_long(argc, argv, "+:", (const struct option[]){ { 0 } }, NULL);
	if (c != -1)
		return bad_option("map", c, argv);
	if (argc - optind < 3)
		return usage_error("map", "%s", "needs VM PLANE SOURCE");
	if (argc - optind > 3)
		return usage_error("map", "unexpected argument '%s'", argv[optind + 3]);
	uint32_t plane;
	if (parse_count("map", "PLANE", argv[optind + 1], 0, 7, &plane) != EXIT_OK)
		return EXIT_USAGE;
	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "vm", json_object_new_string(argv[optind]));
	json_object_object_add(p, "plane", json_object_new_int((int)plane));
	json_object_object_add(p, "source", json_object_new_string(argv[optind + 2]));
	char done[512];
	snprintf(done, sizeof(done), "vm %s plane %u shows %s", argv[optind], plane,
		 argv[optind + 2]);
	return change(o, "map", "map-plane", p, done);
}

static int cmd_reload(struct opts *o, int argc, char **argv)
{
	int st = no_args("reload", argc, argv);
	if (st != EXIT_OK)
		return st;
	return change(o, "reload", "reload", json_object_new_object(), "layout reloaded");
}

static int cmd_watch(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	uint32_t count = 0, timeout = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		int st = c == 'n' ? parse_count("watch", "--count", optarg, 1, 1000000, &count)
			 : c == 't' ? parse_count("watch", "--timeout", optarg, 1, 86400, &timeout)
				    : bad_option("watch", c, argv);
		if (st != EXIT_OK)
			return st;
	}
	if (optind < argc)
		return usage_error("watch", "unexpected argument '%s'", argv[optind]);
	struct df_client *cl = NULL;
	int st = open_client(o, "watch", &cl);
	if (st != EXIT_OK)
		return st;
	int r = df_client_subscribe(cl, NULL);
	if (r < 0) {
		st = error(exit_for(r), "watch", df_error_name(r), "%s", df_client_error(cl));
		df_client_close(cl);
		return st;
	}
	/* On stderr even with --json: a script can wait for it before acting. */
	fprintf(stderr, "watching %s (Ctrl-C stops)\n", socket_path(o));
	fflush(stderr);
	uint32_t seen = 0;
	/* SIGINT and SIGTERM end it the default way: nothing to clean up. */
	while (!count || seen < count) {
		struct json_object *ev = NULL;
		r = df_client_next_event(cl, timeout ? (int)timeout * 1000 : -1, &ev);
		if (r == -ETIMEDOUT) {
			st = error(EXIT_FAILED, "watch", "ETIMEDOUT", "no event in %u s", timeout);
			break;
		} else if (r < 0) {
			st = error(EXIT_NO_DAEMON, "watch", df_error_name(r), "%s", df_client_error(cl));
			break;
		}
		if (o->json) {
			printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
									      JSON_C_TO_STRING_NOSLASHESCAPE));
		} else {
			printf("%-16s", str(ev, "event"));
			json_object_object_foreach(ev, key, val) {
				if (strcmp(key, "event") != 0 && strcmp(key, "time_us") != 0)
					printf(" %s=%s", key, json_object_get_string(val));
			}
			printf("\n");
		}
		fflush(stdout);
		json_object_put(ev);
		seen++;
	}
	df_client_close(cl);
	return st;
}

static int cmd_exec(struct opts *o, int argc, char **argv)
{
	optind = 1;
	int c = getopt_long(argc, argv, "+:", (const struct option[]){ { 0 } }, NULL);
	if (c != -1)
		return bad_option("exec", c, argv);
	if (argc - optind < 2)
		return usage_error("exec", "%s", "needs VM -- COMMAND [ARGS...]");
	const char *vm = argv[optind];
	char **cmd = &argv[optind + 1];
	if (strcmp(cmd[0], "--") == 0)
		cmd++;
	if (!cmd[0])
		return usage_error("exec", "%s", "needs a COMMAND after --");
	struct df_client *cl = NULL;
	int st = open_client(o, "exec", &cl);
	if (st != EXIT_OK)
		return st;
	int fd = -1;
	int r = df_client_get_lease(cl, vm, &fd, NULL);
	if (r < 0) {
		st = error(exit_for(r), "exec", df_error_name(r), "%s", df_client_error(cl));
		df_client_close(cl);
		return st;
	}
	df_client_close(cl);
	/* fd 3 is the one the command inherits; every other fd is O_CLOEXEC. */
	if (fd != 3) {
		if (dup2(fd, 3) < 0) {
			int e = errno;
			close(fd);
			return error(EXIT_FAILED, "exec", df_error_name(-e), "dup2: %s", strerror(e));
		}
		close(fd);
	} else if (fcntl(3, F_SETFD, 0) < 0) {
		int e = errno;
		return error(EXIT_FAILED, "exec", df_error_name(-e), "fcntl: %s", strerror(e));
	}
	setenv(DF_LEASE_FD_ENV, "3", 1);
	execvp(cmd[0], cmd);
	int e = errno;
	close(3);
	return error(e == ENOENT ? 127 : 126, "exec", df_error_name(-e), "cannot run %s: %s",
		     cmd[0], strerror(e));
}

static int cmd_help(struct opts *o, int argc, char **argv);

static const struct command commands[] = {
	{ "status", "", "Show the daemon: version, card, layout, socket, counts.",
	  "Show the daemon: version, card, layout, socket, counts, and each seat's focus.",
	  cmd_status },
	{ "monitors", "", "List connectors: status, layout name, VM shown, EDID, modes.",
	  "List connectors: status, layout name, the VM shown, EDID, modes.", cmd_monitors },
	{ "vms", "", "List VMs: state, binding, planes, lease, last error.",
	  "List VMs: state, binding (* = changed at run time), planes, lease, last error,\n"
	  "and each VM's virtual input devices.",
	  cmd_vms },
	{ "leases", "", "List the leases granted.",
	  "List the leases granted: VM, connector, CRTC, planes, lessee id, mode.", cmd_leases },
	{ "bind", "VM MONITOR [--planes N] [--mode WxH[@R]|preferred] "
		  "[--scaling fit|stretch|center|none] [--permanent]",
	  "Show VM on MONITOR.",
	  "Show VM on MONITOR (a [monitor.NAME] of the layout, or a connector name).\n"
	  "A VM the layout lacks is added. The binding holds until unbind and survives\n"
	  "a daemon restart; --permanent writes it to the layout's drop-in directory\n"
	  "instead. Needs an administrator.",
	  cmd_bind },
	{ "unbind", "VM [--reset]", "Take VM off its monitor, or undo run-time changes.",
	  "Take VM off its monitor (its lease is revoked). With --reset, drop what\n"
	  "bind, unbind and map changed at run time instead: the layout applies again.\n"
	  "Needs an administrator.",
	  cmd_unbind },
	{ "map", "VM PLANE SOURCE", "Show SOURCE on one of VM's vGPU planes.",
	  "Show SOURCE (" DF_SOURCES_TEXT ")\n"
	  "on VM's vGPU plane PLANE (from 0). Needs an administrator.",
	  cmd_map },
	{ "watch", "[--count N] [--timeout S]", "Print events as they happen.",
	  "Print events as they happen: monitor-added/removed, binding-changed,\n"
	  "lease-granted/revoked, lease-takeover, error, seat-disabled/enabled, focus.\n"
	  "--json prints one JSON object per line. Stops after N events, or with exit\n"
	  "status 1 after S seconds without one.",
	  cmd_watch },
	{ "reload", "", "Read the layout again (as SIGHUP does).",
	  "Read the layout again (as SIGHUP does). Needs an administrator.", cmd_reload },
	{ "exec", "VM -- COMMAND [ARGS...]", "Run COMMAND with VM's DRM lease as fd 3.",
	  "Run COMMAND with VM's DRM lease fd as fd 3 and DIRECTFLIP_LEASE_FD=3.\n"
	  "Only VM's owner (owner= in the layout) or an administrator gets it.\n"
	  "Exit status: COMMAND's, or 126/127 when it cannot be run.",
	  cmd_exec },
	{ "help", "[COMMAND]", "Show help for COMMAND.", "Show help for COMMAND.", cmd_help },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[N_COMMANDS];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	const char *near = config_suggest(name, names, N_COMMANDS);
	if (near)
		return usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, near);
	return usage_error(NULL, "unknown command '%s'", name);
}

static void command_help(const struct command *c)
{
	printf("Usage: vgpu-assign [--socket PATH] [--json] %s%s%s\n\n%s\n", c->name,
	       c->args[0] ? " " : "", c->args, c->help);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: vgpu-assign [--socket PATH] [--json] COMMAND [ARGS...]\n\n"
		   "Binds VMs to monitors through directflipd.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions (before or after COMMAND):\n"
		   "  --socket PATH  the daemon's socket (default $%s, else %s)\n"
		   "  --json         print the daemon's JSON answer instead of a table\n"
		   "  -h, --help     this help; 'vgpu-assign COMMAND --help' for one command\n"
		   "      --version  the package version and the protocol this tool speaks\n\n"
		   "Exit status: 0 ok, 1 refused or failed, 2 usage, 3 no daemon, 4 permission\n"
		   "denied, 5 no such vm/monitor, 6 busy or not available now. See vgpu-assign(1).\n",
		DF_SOCKET_ENV, DF_SOCKET_DEFAULT);
}

static int cmd_help(struct opts *o, int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argv[1][0] == '-' && argv[1][1])
		return usage_error("help", "unknown option '%s'", argv[1]);
	if (argc > 2)
		return usage_error("help", "unexpected argument '%s'", argv[2]);
	const struct command *c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	command_help(c);
	return EXIT_OK;
}

/* Pulls --json, --socket and --help out of argv wherever they are, up to a
 * "--" (exec's COMMAND keeps its own options). */
static int take_common(struct opts *o, int *argc, char **argv, const char *cmd)
{
	int out = 0;
	bool rest = false;
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		if (rest || strcmp(a, "--") == 0) {
			rest = true;
			argv[out++] = argv[i];
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = true;
		} else if (strcmp(a, "--socket") == 0) {
			if (i + 1 >= *argc)
				return usage_error(cmd, "%s", "--socket needs a PATH");
			o->socket = argv[++i];
		} else if (strncmp(a, "--socket=", 9) == 0) {
			o->socket = a + 9;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	argv[out] = NULL;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int n = argc - 1;
	char **args = argv + 1;
	opterr = 0; /* getopt's own messages would be a second line */
	for (int i = 0; i < n && strcmp(args[i], "--") != 0; i++)
		json_errors = json_errors || strcmp(args[i], "--json") == 0;
	/* Global options first, then the command name. */
	int first = 0;
	while (first < n && args[first][0] == '-' && strcmp(args[first], "--") != 0) {
		if (strcmp(args[first], "--version") == 0) {
			printf("vgpu-assign (directflip) %s, protocol %d\n", DIRECTFLIP_VERSION,
			       DF_PROTOCOL_VERSION);
			return EXIT_OK;
		}
		if (strcmp(args[first], "--socket") == 0)
			first++;
		first++;
	}
	if (first >= n) {
		int k = n;
		if (take_common(&o, &k, args, NULL) != EXIT_OK)
			return EXIT_USAGE;
		if (k > 0)
			return usage_error(NULL, "unknown option '%s'", args[0]);
		usage(o.help ? stdout : stderr);
		return o.help ? EXIT_OK : EXIT_USAGE;
	}
	const struct command *c = find_command(args[first]);
	if (!c)
		return unknown_command(args[first]);
	/* argv for the command: its name, then every other argument. */
	char **cargv = calloc((size_t)n + 2, sizeof(char *));
	if (!cargv)
		return error(EXIT_FAILED, NULL, "ENOMEM", "out of memory");
	int cargc = 0;
	cargv[cargc++] = args[first];
	for (int i = 0; i < n; i++)
		if (i != first)
			cargv[cargc++] = args[i];
	int st = take_common(&o, &cargc, cargv, c->name);
	if (st == EXIT_OK && o.help) {
		command_help(c);
	} else if (st == EXIT_OK) {
		st = c->run(&o, cargc, cargv);
	}
	free(cargv);
	return st;
}
