/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/diag.h"

/* The parsed layout. Plain data: the daemon reads it, reconcile diffs two
 * of them. Every entry records where it was defined for messages. */

#define CONFIG_MAX_PLANES 8     /* same bound as KMS_ALLOC_MAX_PLANES */
#define CONFIG_MAX_MONITORS 64
#define CONFIG_MAX_VMS 64
#define CONFIG_MAX_SEATS 16
#define CONFIG_MAX_SEAT_INPUTS 64
#define CONFIG_MAX_NAME 32      /* NAME in [monitor.NAME] etc.: [A-Za-z0-9_-]{1,32} */
#define CONFIG_MAX_VALUE 4096   /* characters in one value */
#define CONFIG_MAX_LINE 8192    /* characters in one line, comment included */

enum config_scaling {
	CONFIG_SCALING_FIT = 0,  /* keep aspect, letterbox */
	CONFIG_SCALING_STRETCH,
	CONFIG_SCALING_CENTER,
	CONFIG_SCALING_NONE,     /* top-left, 1:1, cropped */
};

enum config_share {
	CONFIG_SHARE_EXCLUSIVE = 0, /* a second claimant is a config error */
	CONFIG_SHARE_FAILOVER,      /* first claimant (file order) whose binding can be met wins */
};

enum config_on_vm_exit {
	CONFIG_ON_VM_EXIT_KEEP = 0,
	CONFIG_ON_VM_EXIT_BLACK,
};

struct config_where {
	const char *file;        /* owned by the struct config */
	unsigned line;
};

/* Past any scanout size or refresh rate KMS drivers take: a typo. */
#define CONFIG_MAX_MODE_SIDE 16384
#define CONFIG_MAX_REFRESH 1000
#define CONFIG_MAX_POSITION 65536 /* a desktop of 4 16K monitors side by side */

struct config_mode {
	bool set;
	uint32_t width, height;
	uint32_t refresh;        /* Hz; 0 = any */
};

struct config_edid_match {
	bool set;
	char vendor[4];          /* PNP id, 3 letters */
	uint16_t product;
	bool has_serial;
	uint32_t serial;
};

struct config_monitor {
	char *name;
	struct config_where where;
	char *connector;         /* NULL when matched by EDID only */
	struct config_edid_match edid;
	struct config_mode mode;
	enum config_share share;
	bool has_position;       /* top-left corner in the seat's desktop, pixels */
	uint32_t x, y;
	struct config_where position_at;
};

struct config_vm {
	char *name;
	struct config_where where;
	char *monitor;           /* monitor NAME, NULL = not bound */
	struct config_where monitor_at;
	unsigned planes;         /* 1..CONFIG_MAX_PLANES, default 1 */
	char *sources[CONFIG_MAX_PLANES]; /* raw "scheme:arg"; NULL = unset */
	struct config_where source_at[CONFIG_MAX_PLANES];
	enum config_scaling scaling;
	struct config_mode mode; /* overrides the monitor's mode */
	bool has_owner;
	uid_t owner_uid;
	char *owner;             /* as written: user name or uid */
	char *input;             /* seat NAME or NULL */
	struct config_where input_at;
	bool socket;
	enum config_on_vm_exit on_vm_exit;
};

/* hotkey.focus.VM = COMBO */
struct config_focus_key {
	char *vm;
	char *combo;
	struct config_where at;
};

struct config_seat {
	char *name;
	struct config_where where;
	char **monitors;
	size_t n_monitors;
	struct config_where monitors_at;
	char **inputs;           /* device paths or udev property matches as written */
	size_t n_inputs;
	char *hotkey_next, *hotkey_prev, *hotkey_release;
	struct config_where hotkey_at[3];   /* next, prev, release */
	struct config_focus_key *focus_keys; /* at most CONFIG_MAX_VMS */
	size_t n_focus_keys;
	bool focus_follows_pointer;
	struct config_where follows_at;
};

struct config_daemon {
	char *card;              /* ID_PATH or /dev/dri path; NULL = first card */
	char *socket_path;       /* NULL = the default, /run/directflip/control */
	char *socket_group;      /* NULL = root only; as written: group name or gid */
	bool has_socket_group;
	gid_t socket_gid;
	int log_level;           /* syslog priority, default LOG_INFO */
};

struct config {
	struct config_daemon daemon;
	struct config_monitor *monitors;
	size_t n_monitors;
	struct config_vm *vms;
	size_t n_vms;
	struct config_seat *seats;
	size_t n_seats;
	char **files;            /* every file read, for config_where */
	size_t n_files;
};

void config_free(struct config *cfg);
/* [monitor.NAME], [vm.NAME], [seat.NAME]: letters, digits, '_' and '-'. */
bool config_name_valid(const char *s);
/* Appends a [vm.NAME] with the defaults of a section that sets nothing,
 * written at `where` (a VM a runtime binding made). -E2BIG past
 * CONFIG_MAX_VMS; pointers into cfg->vms are stale afterwards. */
int config_add_vm(struct config *cfg, const char *name, struct config_where where,
		  struct config_vm **out);

const struct config_monitor *config_monitor_by_name(const struct config *cfg, const char *name);
const struct config_vm *config_vm_by_name(const struct config *cfg, const char *name);

/* "1920x1080" or "1920x1080@60". */
int config_parse_mode(const char *text, struct config_mode *out);
const char *config_scaling_name(enum config_scaling s);
int config_scaling_parse(const char *text, enum config_scaling *out);
