/* SPDX-License-Identifier: MIT */
/* The layout parser and validator: every message, where it points, and
 * how files and drop-ins combine. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"
#include "config/load.h"
#include "config/hotkey.h"
#include <linux/input-event-codes.h>

static struct config_diags diags;

/* Loads text as "t.ini"; messages are left in diags. */
static int load(const char *text, struct config **out)
{
	config_diags_clear(&diags);
	return config_load_string(text, "t.ini", out, &diags);
}

static void dump(void)
{
	for (size_t i = 0; i < diags.n; i++) {
		char *s = config_diag_format(&diags.items[i]);
		fprintf(stderr, "  have %s\n", s ? s : "?");
		free(s);
	}
}

/* The 1-based line of text on which `marker` first appears. */
static unsigned line_of(const char *text, const char *marker)
{
	const char *at = strstr(text, marker);
	CHECK(at != NULL);
	unsigned line = 1;
	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

static bool has_diag(enum config_severity sev, const char *file, unsigned line, const char *needle)
{
	for (size_t i = 0; i < diags.n; i++) {
		const struct config_diag *d = &diags.items[i];
		if (d->severity == sev && d->line == line && strcmp(d->file, file) == 0 &&
		    strstr(d->message, needle))
			return true;
	}
	return false;
}

#define CHECK_DIAG(sev, file, line, needle)                                                  \
	do {                                                                                 \
		if (!has_diag(sev, file, line, needle)) {                                    \
			fprintf(stderr, "%s:%d: no %s at %s:%u containing \"%s\"\n", __FILE__, \
				__LINE__, sev == CONFIG_ERROR ? "error" : "warning", file,    \
				(unsigned)(line), needle);                                    \
			dump();                                                              \
			exit(1);                                                             \
		}                                                                            \
	} while (0)

#define CHECK_ERROR(line, needle) CHECK_DIAG(CONFIG_ERROR, "t.ini", line, needle)
#define CHECK_WARNING(line, needle) CHECK_DIAG(CONFIG_WARNING, "t.ini", line, needle)

/* text must be rejected with an error at `line` containing needle. */
#define EXPECT_ERROR(text, line, needle)                                \
	do {                                                            \
		struct config *cfg_ = (struct config *)&diags;          \
		CHECK_EQ_INT(load(text, &cfg_), -EINVAL);               \
		CHECK(cfg_ == (struct config *)&diags); /* untouched */ \
		CHECK_ERROR(line, needle);                              \
	} while (0)

/* text must load without errors (warnings allowed). */
static struct config *expect_ok(const char *text)
{
	struct config *cfg = NULL;
	int r = load(text, &cfg);
	if (r != 0)
		dump();
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(diags.n_errors, 0);
	CHECK(cfg != NULL);
	return cfg;
}

/* The example of docs/config.md: 3 monitors, 2 VMs, every section. */
static const char full[] =
	"; directflip.ini\n"
	"[daemon]\n"
	"card = pci-0000:00:02.0\n"
	"socket = /run/directflip/control\n"
	"socket-group = root\n"
	"log-level = debug\n"
	"\n"
	"[monitor.left]\n"
	"edid = DEL/0xa0c4/12345\n"
	"mode = 2560x1440@60\n"
	"\n"
	"[monitor.right]\n"
	"connector = DP-2\n"
	"\n"
	"[monitor.shared]\n"
	"connector = HDMI-A-1\n"
	"mode = 1920x1080\n"
	"share = failover\n"
	"\n"
	"[vm.win]\n"
	"owner = root\n"
	"monitor = left\n"
	"planes = 2\n"
	"source.0 = gvt-sysfs:/sys/bus/mdev/devices/a297db4a/intel_vgpu#0\n"
	"source.1 = gvt-sysfs:/sys/bus/mdev/devices/a297db4a/intel_vgpu#1\n"
	"scaling = fit\n"
	"input = desk\n"
	"socket = yes\n"
	"on-vm-exit = black\n"
	"\n"
	"[vm.lin]\n"
	"owner = 0\n"
	"monitor = right\n"
	"source.0 = fb:/run/vgpu/lin/plane0\n"
	"scaling = center\n"
	"mode = 1280x1024@75\n"
	"input = desk\n"
	"\n"
	"[vm.spare]\n"
	"monitor = shared\n"
	"source.0 = client\n"
	"[vm.backup]\n"
	"monitor = shared\n"
	"source.0 = vfio:/dev/vfio/devices/vfio0\n"
	"\n"
	"[seat.desk]\n"
	"monitors = left, right shared\n"
	"input = /dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd\n"
	"input = ID_INPUT_MOUSE=1\n"
	"hotkey.next = ctrl+alt+right\n"
	"hotkey.prev = ctrl+alt+left\n"
	"hotkey.release = Ctrl+Alt+F12\n";

static void full_layout(void)
{
	struct config *cfg = expect_ok(full);
	CHECK_EQ_INT(diags.n, 0);
	CHECK_EQ_STR(cfg->daemon.card, "pci-0000:00:02.0");
	CHECK_EQ_STR(cfg->daemon.socket_path, "/run/directflip/control");
	CHECK_EQ_STR(cfg->daemon.socket_group, "root");
	CHECK(cfg->daemon.has_socket_group && cfg->daemon.socket_gid == 0);
	CHECK_EQ_INT(cfg->daemon.log_level, 7);

	CHECK_EQ_INT(cfg->n_monitors, 3);
	const struct config_monitor *left = config_monitor_by_name(cfg, "left");
	CHECK(left && left->edid.set && left->edid.has_serial && !left->connector);
	CHECK_EQ_STR(left->edid.vendor, "DEL");
	CHECK_EQ_INT(left->edid.product, 0xa0c4);
	CHECK_EQ_INT(left->edid.serial, 12345);
	CHECK(left->mode.set && left->mode.width == 2560 && left->mode.height == 1440);
	CHECK_EQ_INT(left->mode.refresh, 60);
	CHECK_EQ_INT(left->where.line, line_of(full, "[monitor.left]"));
	const struct config_monitor *shared = config_monitor_by_name(cfg, "shared");
	CHECK_EQ_STR(shared->connector, "HDMI-A-1");
	CHECK_EQ_INT(shared->share, CONFIG_SHARE_FAILOVER);
	CHECK_EQ_INT(config_monitor_by_name(cfg, "right")->share, CONFIG_SHARE_EXCLUSIVE);
	CHECK(config_monitor_by_name(cfg, "nope") == NULL);

	CHECK_EQ_INT(cfg->n_vms, 4);
	const struct config_vm *win = config_vm_by_name(cfg, "win");
	CHECK(win && win->has_owner && win->owner_uid == 0);
	CHECK_EQ_STR(win->owner, "root");
	CHECK_EQ_STR(win->monitor, "left");
	CHECK_EQ_INT(win->monitor_at.line, line_of(full, "monitor = left"));
	CHECK_EQ_STR(win->monitor_at.file, "t.ini");
	CHECK_EQ_INT(win->planes, 2);
	CHECK_EQ_STR(win->sources[1], "gvt-sysfs:/sys/bus/mdev/devices/a297db4a/intel_vgpu#1");
	CHECK_EQ_INT(win->source_at[1].line, line_of(full, "source.1 ="));
	CHECK(win->sources[2] == NULL);
	CHECK_EQ_INT(win->scaling, CONFIG_SCALING_FIT);
	CHECK_EQ_STR(win->input, "desk");
	CHECK(win->socket);
	CHECK_EQ_INT(win->on_vm_exit, CONFIG_ON_VM_EXIT_BLACK);
	const struct config_vm *lin = config_vm_by_name(cfg, "lin");
	CHECK(lin->has_owner && lin->owner_uid == 0);
	CHECK_EQ_INT(lin->planes, 1);
	CHECK_EQ_INT(lin->scaling, CONFIG_SCALING_CENTER);
	CHECK(lin->mode.set && lin->mode.width == 1280 && lin->mode.refresh == 75);
	CHECK(!lin->socket && lin->on_vm_exit == CONFIG_ON_VM_EXIT_KEEP);
	CHECK(config_vm_by_name(cfg, "nope") == NULL);

	CHECK_EQ_INT(cfg->n_seats, 1);
	const struct config_seat *desk = &cfg->seats[0];
	CHECK_EQ_STR(desk->name, "desk");
	CHECK_EQ_INT(desk->n_monitors, 3);
	CHECK_EQ_STR(desk->monitors[0], "left");
	CHECK_EQ_STR(desk->monitors[2], "shared");
	CHECK_EQ_INT(desk->n_inputs, 2);
	CHECK_EQ_STR(desk->inputs[1], "ID_INPUT_MOUSE=1");
	CHECK_EQ_STR(desk->hotkey_next, "ctrl+alt+right");
	CHECK_EQ_STR(desk->hotkey_release, "Ctrl+Alt+F12");

	CHECK_EQ_INT(cfg->n_files, 1);
	CHECK_EQ_STR(cfg->files[0], "t.ini");
	config_free(cfg);
	config_free(NULL);
}

static void defaults(void)
{
	struct config *cfg = expect_ok("[monitor.m]\nconnector = Virtual-1\n"
				       "[vm.a]\nsource.0 = fb:42\n[seat.s]\n");
	CHECK_EQ_INT(diags.n, 0);
	CHECK(cfg->daemon.card == NULL && cfg->daemon.socket_path == NULL);
	CHECK(cfg->daemon.socket_group == NULL && !cfg->daemon.has_socket_group);
	CHECK_EQ_INT(cfg->daemon.log_level, 6);
	CHECK_EQ_INT(cfg->monitors[0].share, CONFIG_SHARE_EXCLUSIVE);
	CHECK(!cfg->monitors[0].mode.set && !cfg->monitors[0].edid.set);
	const struct config_vm *a = &cfg->vms[0];
	CHECK(a->monitor == NULL && a->input == NULL && a->owner == NULL && !a->has_owner);
	CHECK_EQ_INT(a->planes, 1);
	CHECK_EQ_INT(a->scaling, CONFIG_SCALING_FIT);
	CHECK(!a->socket && a->on_vm_exit == CONFIG_ON_VM_EXIT_KEEP && !a->mode.set);
	CHECK(cfg->seats[0].n_monitors == 0 && cfg->seats[0].n_inputs == 0);
	CHECK(cfg->seats[0].hotkey_next == NULL);
	config_free(cfg);

	/* An empty file is a valid, empty layout. */
	cfg = expect_ok("");
	CHECK(cfg->n_monitors == 0 && cfg->n_vms == 0 && cfg->n_seats == 0);
	config_free(cfg);
}

/* Issue 3's minimal form: the keys the daemon core reads. */
static void minimal_form(void)
{
	struct config *cfg = expect_ok("[monitor.head1]\nconnector=Virtual-2\n"
				       "[vm.vm1]\nmonitor=head1\nplanes=1\nsource.0=fb:/run/vm1.id\n"
				       "scaling=stretch\nmode=1024x768\n");
	CHECK_EQ_INT(diags.n, 0);
	CHECK_EQ_STR(cfg->vms[0].monitor, "head1");
	CHECK_EQ_STR(cfg->vms[0].sources[0], "fb:/run/vm1.id");
	CHECK_EQ_INT(cfg->vms[0].scaling, CONFIG_SCALING_STRETCH);
	CHECK(cfg->vms[0].mode.width == 1024 && cfg->vms[0].mode.height == 768);
	config_free(cfg);
}

static void syntax_accepted(void)
{
	/* A BOM, CRLF, comments, indentation, ':' and an inline comment. */
	static const char text[] = "\xef\xbb\xbf; comment\r\n"
				   "# another\r\n"
				   "  [ vm.a ]   ; trailing comment\r\n"
				   "\tplanes : 2\r\n"
				   "   source.0 = fb:/x ; the framebuffer\r\n"
				   "source.1=fb:/y#not-a-comment\n"
				   "[seat.s] # comment\n"
				   "input = ID_PATH=pci-0000:00:14.0-usb-0:1:1.0\n"
				   "input: /dev/input/event3";
	struct config *cfg = expect_ok(text);
	CHECK_EQ_INT(diags.n, 0);
	CHECK_EQ_STR(cfg->vms[0].name, "a");
	CHECK_EQ_INT(cfg->vms[0].planes, 2);
	CHECK_EQ_STR(cfg->vms[0].sources[0], "fb:/x");
	CHECK_EQ_STR(cfg->vms[0].sources[1], "fb:/y#not-a-comment");
	CHECK_EQ_INT(cfg->vms[0].source_at[1].line, 6);
	CHECK_EQ_STR(cfg->seats[0].inputs[0], "ID_PATH=pci-0000:00:14.0-usb-0:1:1.0");
	CHECK_EQ_STR(cfg->seats[0].inputs[1], "/dev/input/event3");
	config_free(cfg);

	/* Lines longer than inih's buffer (200 bytes in Debian's build) are
	 * split by the same rules, with the right line numbers. */
	char text2[2400];
	char path[600];
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	snprintf(text2, sizeof(text2),
		 "; %s\n[vm.a]\nsource.0 = fb:/%s ; comment\nsource.1 =   gvt-sysfs:/%s\nplane = 1\n",
		 path, path, path);
	struct config *cfg2 = NULL;
	CHECK_EQ_INT(load(text2, &cfg2), -EINVAL);
	CHECK_ERROR(5, "unknown key 'plane' in [vm.a]; did you mean 'planes'?");
	CHECK_EQ_INT(diags.n_errors, 1);
	snprintf(text2, sizeof(text2), "; %s\n[vm.a]\nsource.0 = fb:/%s ; comment\n", path, path);
	cfg2 = expect_ok(text2);
	CHECK_EQ_INT(strlen(cfg2->vms[0].sources[0]), 4 + strlen(path));
	CHECK_EQ_INT(cfg2->vms[0].source_at[0].line, 3);
	config_free(cfg2);
}

static void syntax_errors(void)
{
	EXPECT_ERROR("[vm.a\nplanes = 1\n", 1, "section header without ']'");
	EXPECT_ERROR("[vm.a] junk\n", 1, "unexpected text 'junk' after [vm.a]");
	EXPECT_ERROR("[vm.a]\njust words\n", 2, "expected 'key = value', got 'just words'");
	EXPECT_ERROR("[vm.a]\nkey ; = 1\n", 2, "expected 'key = value'");
	EXPECT_ERROR("[vm.a]\n= 1\n", 2, "missing key name before '='");
	EXPECT_ERROR("[vm.a]\n: 1\n", 2, "missing key name before ':'");
	EXPECT_ERROR("planes = 1\n[vm.a]\n", 1, "'planes' appears before any [section]");

	/* A NUL byte can only come from a file: write one. */
	char dir[] = "/tmp/df-config-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof(path), "%s/nul.ini", dir);
	static const char nul[] = "[vm.a]\nplanes = 1\0x\nplanes = 2\n";
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	CHECK(fwrite(nul, 1, sizeof(nul) - 1, f) == sizeof(nul) - 1);
	CHECK(fclose(f) == 0);
	struct config *cfg = NULL;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(path, NULL, &cfg, &diags), -EINVAL);
	CHECK_DIAG(CONFIG_ERROR, path, 2, "line contains a NUL byte");
	CHECK_EQ_INT(diags.n_errors, 1); /* line 3 is not a duplicate of the ignored line 2 */
	unlink(path);

	/* A directory given as the file cannot be read. */
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(dir, NULL, &cfg, &diags), -EINVAL);
	CHECK(diags.n >= 1 && diags.items[0].line == 0);
	CHECK_EQ_STR(diags.items[0].file, dir);
	CHECK(strstr(diags.items[0].message, "cannot") != NULL);
	rmdir(dir);

	/* Over-long lines and values. */
	size_t n = CONFIG_MAX_LINE + 100;
	char *text = malloc(n + 64);
	CHECK(text != NULL);
	strcpy(text, "[vm.a]\nsource.0 = fb:/");
	size_t at = strlen(text);
	memset(text + at, 'x', n);
	strcpy(text + at + n, "\nplane = 1\n");
	EXPECT_ERROR(text, 2, "line too long (at most 8192 characters)");
	CHECK_ERROR(3, "unknown key 'plane'");
	text[at + CONFIG_MAX_VALUE + 10] = '\0';
	EXPECT_ERROR(text, 2, "[vm.a] the value of source.0 is too long (4110 characters, at most 4096)");
	text[at + CONFIG_MAX_VALUE - 4] = '\0'; /* "fb:/" + 4092 = 4096 */
	config_free(expect_ok(text));
	free(text);
}

static void unknown_sections(void)
{
	EXPECT_ERROR("[monitr.x]\nconnector = A\n", 1, "unknown section [monitr.x]; did you mean [monitor.x]?");
	EXPECT_ERROR("[vms.a]\n", 1, "unknown section [vms.a]; did you mean [vm.a]?");
	EXPECT_ERROR("[seats]\n", 1, "unknown section [seats]; did you mean [seat.NAME]?");
	EXPECT_ERROR("[deamon]\n", 1, "unknown section [deamon]; did you mean [daemon]?");
	EXPECT_ERROR("[whatever]\n", 1,
		     "unknown section [whatever]; sections are [daemon], [monitor.NAME], [vm.NAME] and [seat.NAME]");
	EXPECT_ERROR("[]\n", 1, "unknown section []; sections are");
	EXPECT_ERROR("\n[monitor]\nconnector = A\n", 2, "[monitor] needs a NAME: [monitor.NAME]");
	EXPECT_ERROR("[daemon.main]\n", 1, "[daemon] takes no NAME: write [daemon], not [daemon.main]");
	EXPECT_ERROR("[vm.bad!name]\n", 1,
		     "invalid NAME 'bad!name' in [vm.bad!name]: use 1 to 32 letters, digits, '-' or '_'");
	EXPECT_ERROR("[vm.]\n", 1, "invalid NAME '' in [vm.]");
	EXPECT_ERROR("[seat.a.b]\n", 1, "invalid NAME 'a.b'");
	EXPECT_ERROR("[vm.abcdefghijklmnopqrstuvwxyz0123456]\n", 1, "invalid NAME");
	config_free(expect_ok("[vm.abcdefghijklmnopqrstuvwxyz012345]\nsource.0 = client\n"));
	/* Keys of an unknown section are not reported again, one by one. */
	EXPECT_ERROR("[bogus]\nfoo = 1\nbar = 2\n", 1, "unknown section [bogus]");
	CHECK_EQ_INT(diags.n_errors, 1);
}

static void unknown_keys(void)
{
	EXPECT_ERROR("[vm.vm1]\nplane = 2\n", 2, "unknown key 'plane' in [vm.vm1]; did you mean 'planes'?");
	CHECK_EQ_INT(diags.n_errors, 1);
	EXPECT_ERROR("[monitor.m]\nconector = X\n", 2,
		     "unknown key 'conector' in [monitor.m]; did you mean 'connector'?");
	EXPECT_ERROR("[vm.a]\nsorce.1 = client\n", 2, "did you mean 'source.1'?");
	EXPECT_ERROR("[vm.a]\nsource = client\n", 2, "did you mean 'source.0'?");
	EXPECT_ERROR("[daemon]\nloglevel = 1\n", 2, "did you mean 'log-level'?");
	EXPECT_ERROR("[seat.s]\nhotkey.nxt = a\n", 2, "did you mean 'hotkey.next'?");
	EXPECT_ERROR("[vm.a]\nfrobnicate = 1\n", 2, "unknown key 'frobnicate' in [vm.a]");
	CHECK(strstr(diags.items[0].message, "did you mean") == NULL);
	/* Case matters. */
	EXPECT_ERROR("[vm.a]\nPlanes = 1\n", 2, "did you mean 'planes'?");
	/* Keys are checked even in a section that cannot be used. */
	EXPECT_ERROR("[vm.a]\nsource.0 = client\n[vm.a]\nplane = 3\n", 3, "duplicate section [vm.a]");
	CHECK_ERROR(4, "unknown key 'plane' in [vm.a]");
	EXPECT_ERROR("[vm.x!]\nplanes = 30\n", 2, "[vm.x!] planes '30' is not a number from 1 to 8");
}

static void duplicates(void)
{
	EXPECT_ERROR("[vm.a]\nsource.0 = client\n\n[vm.a]\n", 4,
		     "duplicate section [vm.a]; it was first defined at line 1");
	EXPECT_ERROR("[daemon]\n[daemon]\n", 2, "duplicate section [daemon]; it was first defined at line 1");
	EXPECT_ERROR("[vm.a]\nplanes = 1\nsource.0 = client\nplanes = 2\n", 4,
		     "duplicate key 'planes' in [vm.a]; it was first set at line 2");
	EXPECT_ERROR("[vm.a]\nsource.1 = client\nsource.1 = client\n", 3,
		     "duplicate key 'source.1' in [vm.a]; it was first set at line 2");
	EXPECT_ERROR("[daemon]\ncard = a\ncard = b\n", 3, "duplicate key 'card' in [daemon]");
	/* The first value stays. */
	CHECK_EQ_INT(diags.n_errors, 1);
	/* input= may repeat in a seat. */
	struct config *cfg = expect_ok("[seat.s]\ninput = /dev/a\ninput = /dev/b\ninput = /dev/c\n");
	CHECK_EQ_INT(cfg->seats[0].n_inputs, 3);
	config_free(cfg);
	/* A vm and a monitor may share a NAME: they are different kinds. */
	config_free(expect_ok("[monitor.x]\nconnector = A-1\n[vm.x]\nmonitor = x\nsource.0 = client\n"));
}

static void references(void)
{
	static const char text[] = "[monitor.m]\nconnector = A-1\n"
				   "[vm.vm1]\nsource.0 = client\nmonitor = left\ninput = nope\n"
				   "[seat.s]\nmonitors = m x\n";
	EXPECT_ERROR(text, 5, "[vm.vm1] monitor 'left' is not defined");
	CHECK_ERROR(6, "[vm.vm1] input seat 'nope' is not defined");
	CHECK_ERROR(8, "[seat.s] monitor 'x' is not defined");
	CHECK_EQ_INT(diags.n_errors, 3);
	char *s = config_diag_format(&diags.items[0]);
	CHECK_EQ_STR(s, "t.ini:5: error: [vm.vm1] monitor 'left' is not defined");
	free(s);

	EXPECT_ERROR("[monitor.m]\nconnector = A-1\n[seat.s]\nmonitors = m,m\n", 4,
		     "[seat.s] lists monitor 'm' twice");
	EXPECT_ERROR("[monitor.m]\nconnector = A-1\n[seat.s]\nmonitors = m\n[seat.t]\nmonitors = m\n",
		     6, "[seat.t] monitor 'm' is already in [seat.s] (line 4)");
	EXPECT_ERROR("[seat.s]\nmonitors = bad!name\n", 2, "[seat.s] monitors: 'bad!name' is not a monitor NAME");
}

static void claims(void)
{
	static const char two[] = "[monitor.m]\nconnector = A-1\n"
				  "[vm.a]\nmonitor = m\nsource.0 = client\n"
				  "[vm.b]\nsource.0 = client\nmonitor = m\n";
	EXPECT_ERROR(two, 8,
		     "[vm.b] (line 8) and [vm.a] (line 4) both claim monitor 'm'; set share = "
		     "failover in [monitor.m] to let them take turns");
	CHECK_EQ_INT(diags.n_errors, 1);

	static const char three[] = "[monitor.m]\nconnector = A-1\n"
				    "[vm.a]\nmonitor = m\n[vm.b]\nmonitor = m\n[vm.c]\nmonitor = m\n";
	EXPECT_ERROR(three, 6, "[vm.b] (line 6) and [vm.a] (line 4)");
	CHECK_ERROR(8, "[vm.c] (line 8) and [vm.a] (line 4)");
	CHECK_EQ_INT(diags.n_errors, 2);

	struct config *cfg = expect_ok("[monitor.m]\nconnector = A-1\nshare = failover\n"
				       "[vm.a]\nmonitor = m\nsource.0 = client\n"
				       "[vm.b]\nmonitor = m\nsource.0 = client\n");
	CHECK_EQ_INT(diags.n, 0);
	config_free(cfg);
}

static void monitors(void)
{
	EXPECT_ERROR("[monitor.m]\nmode = 1920x1080\n", 1, "[monitor.m] needs connector= or edid=");
	EXPECT_ERROR("[monitor.a]\nconnector = DP-1\n[monitor.b]\nconnector = DP-1\n", 3,
		     "[monitor.b] connector 'DP-1' is already used by [monitor.a] (line 1)");
	EXPECT_ERROR("[monitor.a]\nedid = DEL/1/2\n[monitor.b]\nedid = DEL/0x1/0x2\n", 3,
		     "[monitor.b] edid is the same as [monitor.a]'s (line 1)");
	/* The same model without and with a serial are different matches. */
	struct config *cfg = expect_ok("[monitor.a]\nedid = DEL/1\n[monitor.b]\nedid = DEL/1/7\n"
				       "[monitor.c]\nedid = GSM/65535/4294967295\n"
				       "[monitor.d]\nconnector = eDP-1\nedid = BOE/0x0BCA\n");
	CHECK(!cfg->monitors[0].edid.has_serial && cfg->monitors[1].edid.has_serial);
	CHECK_EQ_INT(cfg->monitors[2].edid.product, 65535);
	CHECK_EQ_INT(cfg->monitors[2].edid.serial, 4294967295u);
	CHECK_EQ_STR(cfg->monitors[3].connector, "eDP-1");
	CHECK_EQ_INT(cfg->monitors[3].edid.product, 0x0bca);
	config_free(cfg);

	static const struct {
		const char *edid, *why;
	} bad[] = {
		{ "DEL", "write VENDOR/PRODUCT[/SERIAL]" },
		{ "dell/1", "the vendor is a PNP id of 3 capital letters" },
		{ "del/1", "the vendor is a PNP id" },
		{ "DE1/1", "the vendor is a PNP id" },
		{ "DEL/", "the product code is 0 to 65535" },
		{ "DEL/65536", "the product code is 0 to 65535" },
		{ "DEL/-1", "the product code" },
		{ "DEL/0x", "the product code" },
		{ "DEL/0x1ffff", "the product code" },
		{ "DEL/12345678901234567890", "the product code" },
		{ "DEL/1/", "the serial number is 0 to 4294967295" },
		{ "DEL/1/4294967296", "the serial number" },
		{ "DEL/1/2/3", "the serial number" },
		{ "DEL/1/ 2", "the serial number" },
		{ "DEL/1/+2", "the serial number" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], needle[128];
		snprintf(text, sizeof(text), "[monitor.m]\nconnector = A-1\nedid = %s\n", bad[i].edid);
		snprintf(needle, sizeof(needle), "[monitor.m] edid '%s' is not VENDOR/PRODUCT[/SERIAL]: %s",
			 bad[i].edid, bad[i].why);
		EXPECT_ERROR(text, 3, needle);
	}
	EXPECT_ERROR("[monitor.m]\nconnector = HDMI A 1\n", 2,
		     "[monitor.m] connector 'HDMI A 1' is not a connector name such as HDMI-A-1");
	EXPECT_ERROR("[monitor.m]\nconnector = /dev/dri/card0\n", 2, "is not a connector name");
	EXPECT_ERROR("[monitor.m]\nconnector = A-1\nshare = sometimes\n", 3,
		     "[monitor.m] share 'sometimes' is not exclusive or failover");
	EXPECT_ERROR("[monitor.m]\nmode = big\nconnector = A-1\n", 2,
		     "[monitor.m] mode 'big' is not WIDTHxHEIGHT[@REFRESH]");
}

static void vm_values(void)
{
	static const char *const bad_planes[] = { "0", "9", "-1", "+2", "2x", "0x2", "1.5",
						  "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad_planes) / sizeof(bad_planes[0]); i++) {
		char text[64], needle[96];
		snprintf(text, sizeof(text), "[vm.a]\nplanes = %s\n", bad_planes[i]);
		snprintf(needle, sizeof(needle), "[vm.a] planes '%s' is not a number from 1 to 8",
			 bad_planes[i]);
		EXPECT_ERROR(text, 2, needle);
	}
	struct config *cfg = expect_ok("[vm.a]\nplanes = 8\nsource.0 = client\n");
	CHECK_EQ_INT(cfg->vms[0].planes, 8);
	config_free(cfg);

	static const char *const bad_modes[] = { "0x0", "abc", "1920x", "x1080", "1920x1080@1001",
						 "1920x1080@0", "1920x1080@", "1920*1080", "1920x1080@60Hz",
						 "16385x100", "-1920x1080", "1920x1080@60.5" };
	for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		char text[64], needle[96];
		snprintf(text, sizeof(text), "[vm.a]\nmode = %s\n", bad_modes[i]);
		snprintf(needle, sizeof(needle), "[vm.a] mode '%s' is not WIDTHxHEIGHT[@REFRESH]",
			 bad_modes[i]);
		EXPECT_ERROR(text, 2, needle);
	}
	EXPECT_ERROR("[vm.a]\nscaling = zoom\n", 2, "[vm.a] scaling 'zoom' is not fit, stretch, center or none");
	EXPECT_ERROR("[vm.a]\nscaling = Fit\n", 2, "scaling 'Fit'");
	EXPECT_ERROR("[vm.a]\nsocket = maybe\n", 2, "[vm.a] socket 'maybe' is not yes or no");
	EXPECT_ERROR("[vm.a]\non-vm-exit = explode\n", 2, "[vm.a] on-vm-exit 'explode' is not keep or black");

	static const char *const good_sources[] = { "fb:42", "fb:/run/x", "gvt-sysfs:/sys/x#1",
						    "gvt-sysfs:/sys/x", "vfio:/dev/vfio/1", "client" };
	for (size_t i = 0; i < sizeof(good_sources) / sizeof(good_sources[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "[vm.a]\nsource.0 = %s\n", good_sources[i]);
		cfg = expect_ok(text);
		CHECK_EQ_STR(cfg->vms[0].sources[0], good_sources[i]);
		config_free(cfg);
	}
	static const char *const bad_sources[] = { "http://x", "fb:", "fb", "client:x", "vfio:",
						   "gvt:/x", "/run/fb" };
	for (size_t i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++) {
		char text[64], needle[128];
		snprintf(text, sizeof(text), "[vm.a]\nsource.0 = %s\n", bad_sources[i]);
		snprintf(needle, sizeof(needle),
			 "[vm.a] source.0 '%s' is not fb:PATH, fb:ID, gvt-sysfs:PATH[#PLANE], vfio:PATH[#MDEV] or client",
			 bad_sources[i]);
		EXPECT_ERROR(text, 2, needle);
	}
	static const char *const bad_index[] = { "source.8", "source.01", "source.x", "source.",
						 "source.-1", "source.1x" };
	for (size_t i = 0; i < sizeof(bad_index) / sizeof(bad_index[0]); i++) {
		char text[64], needle[96];
		snprintf(text, sizeof(text), "[vm.a]\n%s = client\n", bad_index[i]);
		snprintf(needle, sizeof(needle), "[vm.a] '%s': the plane index K in source.K is 0 to 7",
			 bad_index[i]);
		EXPECT_ERROR(text, 2, needle);
	}

	static const struct {
		const char *text;
		bool value;
	} bools[] = { { "yes", true }, { "no", false }, { "true", true }, { "False", false },
		      { "on", true },  { "off", false }, { "1", true },    { "0", false } };
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "[vm.a]\nsource.0 = client\nsocket = %s\n", bools[i].text);
		cfg = expect_ok(text);
		CHECK(cfg->vms[0].socket == bools[i].value);
		config_free(cfg);
	}
	static const char *const scalings[] = { "fit", "stretch", "center", "none" };
	for (size_t i = 0; i < 4; i++) {
		char text[64];
		snprintf(text, sizeof(text), "[vm.a]\nsource.0 = client\nscaling = %s\n", scalings[i]);
		cfg = expect_ok(text);
		CHECK_EQ_INT(cfg->vms[0].scaling, i);
		config_free(cfg);
	}
}

static void owners(void)
{
	struct config *cfg = expect_ok("[vm.a]\nsource.0 = client\nowner = root\n"
				       "[vm.b]\nsource.0 = client\nowner = 0\n"
				       "[vm.c]\nsource.0 = client\nowner = 4242\n"
				       "[daemon]\nsocket-group = 0\n");
	CHECK(cfg->vms[0].has_owner && cfg->vms[0].owner_uid == 0);
	CHECK_EQ_STR(cfg->vms[0].owner, "root");
	CHECK(cfg->vms[1].has_owner && cfg->vms[1].owner_uid == 0);
	CHECK_EQ_STR(cfg->vms[1].owner, "0");
	CHECK(cfg->vms[2].has_owner && cfg->vms[2].owner_uid == 4242);
	CHECK(cfg->daemon.has_socket_group && cfg->daemon.socket_gid == 0);
	config_free(cfg);

	EXPECT_ERROR("[vm.a]\nowner = no-such-user-df\n", 2,
		     "[vm.a] owner 'no-such-user-df' is neither a user on this system nor a numeric uid");
	EXPECT_ERROR("[vm.a]\nowner = 4294967295\n", 2, "[vm.a] owner '4294967295' is not a valid uid");
	EXPECT_ERROR("[vm.a]\nowner = 99999999999999999999\n", 2, "is not a valid uid");
	EXPECT_ERROR("[daemon]\nsocket-group = no-such-group-df\n", 2,
		     "[daemon] socket-group 'no-such-group-df' is not a group on this system");
	EXPECT_ERROR("[daemon]\nsocket-group = 4294967295\n", 2,
		     "[daemon] socket-group '4294967295' is not a valid gid");
}

static void daemon_values(void)
{
	static const char *const levels[] = { "emerg", "alert", "crit", "err",
					      "warning", "notice", "info", "debug" };
	for (int i = 0; i < 8; i++) {
		char text[64];
		snprintf(text, sizeof(text), "[daemon]\nlog-level = %s\n", levels[i]);
		struct config *cfg = expect_ok(text);
		CHECK_EQ_INT(cfg->daemon.log_level, i);
		config_free(cfg);
		snprintf(text, sizeof(text), "[daemon]\nlog-level = %d\n", i);
		cfg = expect_ok(text);
		CHECK_EQ_INT(cfg->daemon.log_level, i);
		config_free(cfg);
	}
	static const char *const bad_levels[] = { "loud", "8", "-1", "DEBUG", "0x7", "error" };
	for (size_t i = 0; i < sizeof(bad_levels) / sizeof(bad_levels[0]); i++) {
		char text[64], needle[160];
		snprintf(text, sizeof(text), "[daemon]\nlog-level = %s\n", bad_levels[i]);
		snprintf(needle, sizeof(needle),
			 "[daemon] log-level '%s' is not one of emerg, alert, crit, err, warning, "
			 "notice, info, debug or 0 to 7", bad_levels[i]);
		EXPECT_ERROR(text, 2, needle);
	}
	EXPECT_ERROR("[daemon]\nsocket = relative/path\n", 2,
		     "[daemon] socket 'relative/path' is not an absolute path");
	char text[256];
	char longpath[120];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(text, sizeof(text), "[daemon]\nsocket = %s\n", longpath);
	EXPECT_ERROR(text, 2, "[daemon] socket path is too long for a Unix socket (at most 107 characters)");
	EXPECT_ERROR("[daemon]\ncard = dri/card0\n", 2,
		     "[daemon] card 'dri/card0' is neither an absolute path (/dev/dri/card0) nor a udev ID_PATH");
	EXPECT_ERROR("[daemon]\ncard = pci 0000\n", 2, "is neither an absolute path");
	struct config *cfg = expect_ok("[daemon]\ncard = /dev/dri/by-path/pci-0000:00:02.0-card\n");
	CHECK_EQ_STR(cfg->daemon.card, "/dev/dri/by-path/pci-0000:00:02.0-card");
	config_free(cfg);
}

static void seat_values(void)
{
	static const struct {
		const char *combo, *why;
	} bad[] = {
		{ "ctrl+hyper+x", "'hyper' is not a modifier (ctrl, alt, shift, super)" },
		{ "ctrl+alt", "it ends with the modifier 'alt'; add a key" },
		{ "ctrl+alt+f25", "'f25' is not a key name" },
		{ "ctrl+alt+f0", "'f0' is not a key name" },
		{ "ctrl+alt+f1x", "'f1x' is not a key name" },
		{ "ctrl+alt+pageup", "'pageup' is not a key name" },
		{ "ctrl++x", "an empty part" },
		{ "ctrl+alt+", "an empty part" },
		{ "ctrl+ctrl+x", "'ctrl' is given twice" },
		{ "x+ctrl", "'x' is not a modifier" },
		{ "ctrl+alt+ right", "' right' is not a key name" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], needle[200];
		snprintf(text, sizeof(text), "[seat.s]\nhotkey.prev = %s\n", bad[i].combo);
		snprintf(needle, sizeof(needle),
			 "[seat.s] hotkey.prev '%s' is not a key combination such as ctrl+alt+right: %s",
			 bad[i].combo, bad[i].why);
		EXPECT_ERROR(text, 2, needle);
	}
	static const char *const good[] = { "ctrl+alt+right", "super+1", "SHIFT+Tab", "alt+f1",
					    "ctrl+f24", "ctrl+alt+shift+super+z", "esc", "ctrl+space",
					    "alt+enter", "ctrl+up", "ctrl+down", "ctrl+F9" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[seat.s]\nhotkey.next = %s\n", good[i]);
		config_free(expect_ok(text));
	}
	static const char *const bad_inputs[] = { "event3", "=1", "ID_INPUT=", "ID INPUT=1",
						  "dev/input/event3" };
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		char text[128], needle[200];
		snprintf(text, sizeof(text), "[seat.s]\ninput = %s\n", bad_inputs[i]);
		snprintf(needle, sizeof(needle),
			 "[seat.s] input '%s' is neither a device path (/dev/input/...) nor a udev "
			 "match PROPERTY=VALUE", bad_inputs[i]);
		EXPECT_ERROR(text, 2, needle);
	}
}

static void warnings(void)
{
	static const char text[] = "[vm.a]\nplanes = 1\nsource.0 = client\nsource.3 = client\n"
				   "[vm.b]\nplanes = 2\n";
	struct config *cfg = expect_ok(text);
	CHECK_WARNING(4, "[vm.a] source.3 is ignored: the vm has planes = 1");
	CHECK_WARNING(5, "[vm.b] has no source.0; its plane 0 stays empty until a source is given at run time");
	CHECK_EQ_INT(diags.n, 2);
	CHECK_EQ_INT(diags.n_errors, 0);
	/* Kept as written: planes may be raised by a drop-in or at run time. */
	CHECK_EQ_STR(cfg->vms[0].sources[3], "client");
	char *s = config_diag_format(&diags.items[0]);
	CHECK_EQ_STR(s, "t.ini:4: warning: [vm.a] source.3 is ignored: the vm has planes = 1");
	free(s);
	config_free(cfg);
}

/* Many problems, in several sections, all reported at once, in line order. */
static void all_errors_at_once(void)
{
	static const char text[] = "[daemon]\n"
				   "log-level = loud\n"            /* 2 */
				   "[monitor.left]\n"              /* 3: no connector */
				   "mode = 1920x\n"                /* 4 */
				   "[vm.vm1]\n"
				   "plane = 1\n"                   /* 6 */
				   "monitor = right\n"             /* 7 */
				   "source.0 = client\n"
				   "[bogus]\n"                     /* 9 */
				   "[vm.vm2]\n"
				   "scaling = no\n"                /* 11 */
				   "source.0 = client\n"
				   "source.0 = client\n"           /* 13 */
				   "[seat.s]\n"
				   "hotkey.next = ctrl+hyper+x\n"  /* 15 */
				   "monitors = left nope\n";       /* 16 */
	struct config *cfg = NULL;
	CHECK_EQ_INT(load(text, &cfg), -EINVAL);
	CHECK(cfg == NULL);
	CHECK_ERROR(2, "log-level 'loud'");
	CHECK_ERROR(3, "[monitor.left] needs connector= or edid=");
	CHECK_ERROR(4, "mode '1920x'");
	CHECK_ERROR(6, "unknown key 'plane' in [vm.vm1]; did you mean 'planes'?");
	CHECK_ERROR(7, "[vm.vm1] monitor 'right' is not defined");
	CHECK_ERROR(9, "unknown section [bogus]");
	CHECK_ERROR(11, "scaling 'no'");
	CHECK_ERROR(13, "duplicate key 'source.0' in [vm.vm2]; it was first set at line 12");
	CHECK_ERROR(15, "hotkey.next 'ctrl+hyper+x'");
	CHECK_ERROR(16, "[seat.s] monitor 'nope' is not defined");
	CHECK_EQ_INT(diags.n_errors, 10);
	CHECK_EQ_INT(diags.n, 10);
	/* Sorted by line, whether found while parsing or by validation. */
	for (size_t i = 1; i < diags.n; i++)
		CHECK(diags.items[i - 1].line <= diags.items[i].line);
	char *s = config_diag_format(&diags.items[3]);
	CHECK_EQ_STR(s, "t.ini:6: error: unknown key 'plane' in [vm.vm1]; did you mean 'planes'?");
	free(s);
}

static void limits(void)
{
	/* One [monitor.*] over the limit, and one seat over its limit. */
	size_t size = 64 * 1024;
	char *text = malloc(size);
	CHECK(text != NULL);
	size_t len = 0;
	for (int i = 0; i <= CONFIG_MAX_MONITORS + 1; i++)
		len += (size_t)snprintf(text + len, size - len, "[monitor.m%d]\nconnector = C-%d\n", i, i);
	unsigned over = (unsigned)(2 * CONFIG_MAX_MONITORS + 1);
	EXPECT_ERROR(text, over, "too many [monitor.*] sections (at most 64); [monitor.m64] is ignored");
	CHECK_ERROR(over + 2, "[monitor.m65] is ignored");
	CHECK_EQ_INT(diags.n_errors, 2);

	len = 0;
	for (int i = 0; i <= CONFIG_MAX_SEATS; i++)
		len += (size_t)snprintf(text + len, size - len, "[seat.s%d]\n", i);
	len += (size_t)snprintf(text + len, size - len, "bogus = 1\n");
	EXPECT_ERROR(text, CONFIG_MAX_SEATS + 1, "too many [seat.*] sections (at most 16)");
	/* The ignored section's keys are still checked. */
	CHECK_ERROR(CONFIG_MAX_SEATS + 2, "unknown key 'bogus' in [seat.s16]");

	len = (size_t)snprintf(text, size, "[vm.a]\nsource.0 = client\n");
	for (int i = 0; i <= CONFIG_MAX_VMS; i++)
		len += (size_t)snprintf(text + len, size - len, "[vm.v%d]\n", i);
	EXPECT_ERROR(text, CONFIG_MAX_VMS + 2, "too many [vm.*] sections (at most 64)");

	len = (size_t)snprintf(text, size, "[seat.s]\n");
	for (int i = 0; i <= CONFIG_MAX_SEAT_INPUTS; i++)
		len += (size_t)snprintf(text + len, size - len, "input = /dev/input/event%d\n", i);
	EXPECT_ERROR(text, CONFIG_MAX_SEAT_INPUTS + 2, "[seat.s] has too many input= lines (at most 64)");

	len = (size_t)snprintf(text, size, "[seat.s]\nmonitors =");
	for (int i = 0; i <= CONFIG_MAX_MONITORS; i++)
		len += (size_t)snprintf(text + len, size - len, " m%d", i);
	EXPECT_ERROR(text, 2, "[seat.s] monitors lists more than 64 monitors");

	/* A file of errors is bounded in memory, and counted in full. */
	len = (size_t)snprintf(text, size, "[vm.a]\n");
	for (int i = 0; i < 1100; i++)
		len += (size_t)snprintf(text + len, size - len, "x%d = 1\n", i);
	EXPECT_ERROR(text, 2, "unknown key 'x0'");
	CHECK_EQ_INT(diags.n_errors, 1100);
	CHECK_EQ_INT(diags.n + diags.n_dropped, 1101); /* and the warning about source.0 */
	CHECK(diags.n_dropped > 0);
	free(text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
}

struct tmp {
	char dir[32];
	char main[64], dropins[64];
};

static void tmp_create(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/df-config-XXXXXX");
	CHECK(mkdtemp(t->dir) != NULL);
	snprintf(t->main, sizeof(t->main), "%s/directflip.ini", t->dir);
	snprintf(t->dropins, sizeof(t->dropins), "%s/directflip.d", t->dir);
	CHECK(mkdir(t->dropins, 0700) == 0);
}

static char *in_dropins(const struct tmp *t, const char *name)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", t->dropins, name);
	return path;
}

static void tmp_remove(struct tmp *t)
{
	static const char *const names[] = { "10-a.ini", "20-b.ini", "30-c.conf", ".hidden.ini",
					     "05-dup.ini", "99-bad.ini" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(in_dropins(t, names[i]));
	rmdir(in_dropins(t, "15-dir.ini"));
	rmdir(t->dropins);
	unlink(t->main);
	rmdir(t->dir);
}

static void dropins_override_in_name_order(void)
{
	struct tmp t;
	tmp_create(&t);
	write_file(t.main, "[monitor.m]\nconnector = A-1\n"
			   "[monitor.n]\nconnector = B-1\n"
			   "[vm.x]\nmonitor = m\nplanes = 1\nsource.0 = client\n"
			   "[seat.s]\nmonitors = m\ninput = /dev/input/event1\ninput = /dev/input/event2\n");
	/* Written out of order: they are read in name order, whatever readdir says. */
	write_file(in_dropins(&t, "20-b.ini"), "[vm.x]\nplanes = 3\n");
	write_file(in_dropins(&t, "10-a.ini"), "[vm.x]\nplanes = 2\nscaling = none\nmonitor = n\n"
					       "[vm.y]\nsource.0 = client\n"
					       "[seat.s]\ninput = /dev/input/event9\n");
	write_file(in_dropins(&t, "30-c.conf"), "[garbage\n");
	write_file(in_dropins(&t, ".hidden.ini"), "[garbage\n");
	CHECK(mkdir(in_dropins(&t, "15-dir.ini"), 0700) == 0);

	struct config *cfg = NULL;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), 0);
	const struct config_vm *x = config_vm_by_name(cfg, "x");
	CHECK_EQ_INT(x->planes, 3);                /* 20-b over 10-a over the main file */
	CHECK_EQ_INT(x->scaling, CONFIG_SCALING_NONE);
	CHECK_EQ_STR(x->monitor, "n");
	CHECK_EQ_STR(x->monitor_at.file, in_dropins(&t, "10-a.ini"));
	CHECK_EQ_INT(x->monitor_at.line, 4);
	CHECK_EQ_STR(x->where.file, t.main);         /* defined in the main file */
	CHECK_EQ_INT(x->where.line, 5);
	CHECK(config_vm_by_name(cfg, "y") != NULL);
	/* A later file's input= lines replace the list. */
	CHECK_EQ_INT(cfg->seats[0].n_inputs, 1);
	CHECK_EQ_STR(cfg->seats[0].inputs[0], "/dev/input/event9");
	CHECK_EQ_INT(cfg->n_files, 3);
	CHECK_EQ_STR(cfg->files[1], in_dropins(&t, "10-a.ini"));
	/* The directory named like a drop-in is skipped, with a warning. */
	CHECK_DIAG(CONFIG_WARNING, in_dropins(&t, "15-dir.ini"), 0, "not a regular file, ignoring");
	config_free(cfg);

	/* An error in a drop-in names that file and line; a section may not
	 * appear twice within one drop-in; an empty value resets a key. */
	write_file(in_dropins(&t, "05-dup.ini"), "[vm.x]\nmonitor =\n[vm.x]\n");
	write_file(in_dropins(&t, "99-bad.ini"), "[vm.x]\nplanes = 30\n");
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), -EINVAL);
	CHECK_DIAG(CONFIG_ERROR, in_dropins(&t, "99-bad.ini"), 2, "[vm.x] planes '30'");
	CHECK_DIAG(CONFIG_ERROR, in_dropins(&t, "05-dup.ini"), 3,
		   "duplicate section [vm.x]; it was first defined at line 1");
	CHECK_EQ_INT(diags.n_errors, 2);
	/* Messages come in file order: the main file, then drop-ins by name. */
	CHECK_EQ_STR(diags.items[0].file, in_dropins(&t, "05-dup.ini"));

	unlink(in_dropins(&t, "99-bad.ini"));
	write_file(in_dropins(&t, "05-dup.ini"), "[vm.x]\nmonitor =\n");
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), 0);
	/* 05 unbinds, then 10-a binds to n again. */
	CHECK_EQ_STR(config_vm_by_name(cfg, "x")->monitor, "n");
	config_free(cfg);
	write_file(in_dropins(&t, "99-bad.ini"), "[vm.x]\nmonitor =\nsource.0 =\n[daemon]\n"
						 "card = card0\ncard =\n");
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), -EINVAL);
	CHECK_DIAG(CONFIG_ERROR, in_dropins(&t, "99-bad.ini"), 6, "duplicate key 'card'");
	/* A claim across files says which file the other one is in. */
	write_file(in_dropins(&t, "99-bad.ini"), "[vm.z]\nmonitor = n\nsource.0 = client\n");
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), -EINVAL);
	char needle[256];
	snprintf(needle, sizeof(needle), "[vm.z] (line 2) and [vm.x] (%s:4) both claim monitor 'n'",
		 in_dropins(&t, "10-a.ini"));
	CHECK_DIAG(CONFIG_ERROR, in_dropins(&t, "99-bad.ini"), 2, needle);

	write_file(in_dropins(&t, "99-bad.ini"), "[vm.x]\nmonitor =\nsource.0 =\n");
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), 0);
	CHECK(config_vm_by_name(cfg, "x")->monitor == NULL);
	CHECK(config_vm_by_name(cfg, "x")->sources[0] == NULL);
	CHECK_DIAG(CONFIG_WARNING, t.main, 5, "[vm.x] has no source.0");
	/* Found last, by validation, but the main file's messages come first. */
	CHECK_EQ_INT(diags.n, 2);
	CHECK_EQ_STR(diags.items[0].file, t.main);
	CHECK_EQ_STR(diags.items[1].file, in_dropins(&t, "15-dir.ini"));
	config_free(cfg);

	/* No drop-in directory is fine; a file in its place is not. */
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, "/nonexistent/directflip.d", &cfg, &diags), 0);
	CHECK_EQ_INT(diags.n, 0);
	config_free(cfg);
	CHECK_EQ_INT(config_load(t.main, t.main, &cfg, &diags), -EINVAL);
	CHECK_DIAG(CONFIG_ERROR, t.main, 0, "cannot read the directory: Not a directory");
	tmp_remove(&t);
}

/* An empty value in a later file puts every key back to its default. */
static void empty_values_reset(void)
{
	struct tmp t;
	tmp_create(&t);
	write_file(t.main, "[daemon]\ncard = card1\nsocket = /run/x\nsocket-group = root\n"
			   "log-level = debug\n"
			   "[monitor.m]\nconnector = A-1\nedid = DEL/1/2\nmode = 800x600\n"
			   "share = failover\n"
			   "[vm.v]\nowner = root\nmonitor = m\nplanes = 2\nsource.0 = client\n"
			   "source.1 = client\nscaling = none\nmode = 640x480\ninput = s\n"
			   "socket = yes\non-vm-exit = black\n"
			   "[seat.s]\nmonitors = m\ninput = /dev/input/event1\nhotkey.next = ctrl+n\n"
			   "hotkey.prev = ctrl+p\nhotkey.release = ctrl+r\n");
	write_file(in_dropins(&t, "10-a.ini"),
		   "[daemon]\ncard =\nsocket =\nsocket-group =\nlog-level =\n"
		   "[monitor.m]\nedid =\nmode =\nshare =\n"
		   "[vm.v]\nowner =\nmonitor =\nplanes =\nsource.1 =\nscaling =\nmode =\n"
		   "input =\nsocket =\non-vm-exit =\n"
		   "[seat.s]\nmonitors =\ninput =\nhotkey.next =\nhotkey.prev =\nhotkey.release =\n");
	struct config *cfg = NULL;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), 0);
	CHECK_EQ_INT(diags.n, 0);
	const struct config_daemon *d = &cfg->daemon;
	CHECK(!d->card && !d->socket_path && !d->socket_group && !d->has_socket_group);
	CHECK_EQ_INT(d->log_level, 6);
	const struct config_monitor *m = &cfg->monitors[0];
	CHECK(!m->edid.set && !m->mode.set && m->share == CONFIG_SHARE_EXCLUSIVE);
	CHECK_EQ_STR(m->connector, "A-1");
	const struct config_vm *v = &cfg->vms[0];
	CHECK(!v->owner && !v->has_owner && !v->monitor && !v->input && !v->mode.set);
	CHECK(v->planes == 1 && v->scaling == CONFIG_SCALING_FIT && !v->socket);
	CHECK(v->on_vm_exit == CONFIG_ON_VM_EXIT_KEEP && v->sources[0] && !v->sources[1]);
	const struct config_seat *st = &cfg->seats[0];
	CHECK(st->n_monitors == 0 && st->n_inputs == 0);
	CHECK(!st->hotkey_next && !st->hotkey_prev && !st->hotkey_release);
	config_free(cfg);

	/* A drop-in that cannot be opened is an error naming it. */
	CHECK(symlink("/nonexistent/x.ini", in_dropins(&t, "20-b.ini")) == 0);
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(t.main, t.dropins, &cfg, &diags), -EINVAL);
	CHECK_DIAG(CONFIG_ERROR, in_dropins(&t, "20-b.ini"), 0, "cannot open: No such file or directory");
	tmp_remove(&t);
}

static void missing_file(void)
{
	struct config *cfg = (struct config *)&diags;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load("/nonexistent/directflip.ini", NULL, &cfg, &diags), -EINVAL);
	CHECK(cfg == (struct config *)&diags);
	CHECK_EQ_INT(diags.n, 1);
	char *s = config_diag_format(&diags.items[0]);
	CHECK_EQ_STR(s, "/nonexistent/directflip.ini: error: cannot open: No such file or directory");
	free(s);
}

/* The daemon's fresh start: no layout file is an empty layout, and the
 * drop-ins (vgpu-assign bind --permanent) still apply. */
static void missing_file_optional(void)
{
	struct config *cfg = NULL;
	bool missing = false;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load_optional("/nonexistent/directflip.ini", NULL, &cfg, &diags,
					  &missing), 0);
	CHECK(missing);
	CHECK_EQ_INT(diags.n, 0);
	CHECK_EQ_INT(cfg->n_vms, 0);
	CHECK_EQ_INT(cfg->n_monitors, 0);
	config_free(cfg);

	char dir[] = "/tmp/df-dropins-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof(path), "%s/90-vgpu-assign-vm1.ini", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("[monitor.Virtual-2]\nconnector = Virtual-2\n[vm.vm1]\nmonitor = Virtual-2\n", f);
	fclose(f);
	cfg = NULL;
	CHECK_EQ_INT(config_load_optional("/nonexistent/directflip.ini", dir, &cfg, &diags,
					  &missing), 0);
	CHECK(missing);
	CHECK_EQ_INT(cfg->n_vms, 1);
	config_free(cfg);
	unlink(path);
	rmdir(dir);

	/* An existing file is read as always, and is not "missing". */
	CHECK_EQ_INT(config_load_optional("/dev/null", NULL, &cfg, &diags, &missing), 0);
	CHECK(!missing);
	config_free(cfg);
}

/* A caller's earlier messages neither fail a good load nor get reordered. */
static void diags_accumulate(void)
{
	config_diags_clear(&diags);
	config_diags_add(&diags, CONFIG_ERROR, "earlier.ini", 9, "an earlier problem");
	struct config *cfg = NULL;
	CHECK_EQ_INT(config_load_string("[vm.a]\nsource.0 = client\n", "t.ini", &cfg, &diags), 0);
	config_free(cfg);
	CHECK_EQ_INT(config_load_string("[vm.a]\nplanes = 0\n", "t.ini", &cfg, &diags), -EINVAL);
	CHECK_EQ_STR(diags.items[0].file, "earlier.ini");
	CHECK_EQ_INT(diags.n_errors, 2);
	CHECK_EQ_INT(config_load_string(NULL, "t.ini", &cfg, &diags), -EINVAL);

	/* Control bytes in a quoted value do not reach the terminal. */
	EXPECT_ERROR("[vm.a]\nscaling = \x1b[31mred\n", 2, "scaling '?[31mred'");
	/* A message quoting a huge value is shortened. */
	char text[CONFIG_MAX_VALUE + 64];
	strcpy(text, "[vm.a]\nscaling = ");
	size_t at = strlen(text);
	memset(text + at, 'z', CONFIG_MAX_VALUE);
	text[at + CONFIG_MAX_VALUE] = '\0';
	EXPECT_ERROR(text, 2, "scaling 'zzz");
	CHECK_EQ_INT(diags.n, 2); /* and the warning about source.0, on line 1 */
	CHECK_EQ_INT(strlen(diags.items[1].message), 512);
	CHECK(strstr(diags.items[1].message, "zzz...") != NULL);
	/* Without a name, messages say where the text came from. */
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load_string("[x]\n", NULL, &cfg, &diags), -EINVAL);
	CHECK_EQ_STR(diags.items[0].file, "<string>");
}


/* hotkey.focus.VM focuses a named VM; every hotkey parses to key codes. */
static void focus_hotkeys(void)
{
	static const char text[] = "[vm.a]\nsource.0 = client\ninput = s\n"
				   "[vm.b]\nsource.0 = client\ninput = s\n"
				   "[seat.s]\nhotkey.next = ctrl+alt+right\n"
				   "hotkey.focus.a = ctrl+alt+1\nhotkey.focus.b = Super+F2\n";
	struct config *cfg = expect_ok(text);
	const struct config_seat *s = &cfg->seats[0];
	CHECK_EQ_INT(s->n_focus_keys, 2);
	CHECK_EQ_STR(s->focus_keys[0].vm, "a");
	CHECK_EQ_STR(s->focus_keys[0].combo, "ctrl+alt+1");
	CHECK_EQ_INT(s->focus_keys[0].at.line, 9);
	CHECK_EQ_STR(s->focus_keys[1].vm, "b");
	struct config_hotkey h;
	CHECK_EQ_INT(config_hotkey_parse(s->focus_keys[1].combo, &h), 0);
	CHECK_EQ_INT(h.mods, CONFIG_MOD_SUPER);
	CHECK_EQ_INT(h.key, KEY_F2);
	CHECK_EQ_INT(config_hotkey_parse(s->hotkey_next, &h), 0);
	CHECK_EQ_INT(h.mods, CONFIG_MOD_CTRL | CONFIG_MOD_ALT);
	CHECK_EQ_INT(h.key, KEY_RIGHT);
	config_free(cfg);
	CHECK_EQ_INT(config_hotkey_parse("ctrl+shift+q", &h), 0);
	CHECK(h.mods == (CONFIG_MOD_CTRL | CONFIG_MOD_SHIFT) && h.key == KEY_Q);
	CHECK_EQ_INT(config_hotkey_parse("alt+f24", &h), 0);
	CHECK(h.mods == CONFIG_MOD_ALT && h.key == KEY_F24);
	CHECK_EQ_INT(config_hotkey_parse("ctrl+", &h), -EINVAL);
	CHECK_EQ_INT(config_hotkey_parse("ctrl+f25", &h), -EINVAL);

	/* The VM must exist and take its input from this seat. */
	EXPECT_ERROR("[vm.a]\nsource.0 = client\n[seat.s]\nhotkey.focus.a = ctrl+1\n", 4,
		     "[seat.s] hotkey.focus.a: vm 'a' does not take input from this seat; "
		     "add input = s to [vm.a]");
	EXPECT_ERROR("[seat.s]\nhotkey.focus.nope = ctrl+1\n", 2,
		     "[seat.s] hotkey.focus.nope: vm 'nope' is not defined");
	EXPECT_ERROR("[seat.s]\nhotkey.focus.x! = ctrl+1\n", 2,
		     "'hotkey.focus.x!': VM in hotkey.focus.VM is not a NAME");
	EXPECT_ERROR("[vm.a]\nsource.0 = client\ninput = s\n[seat.s]\nhotkey.focus.a = ctrl+\n", 5,
		     "hotkey.focus.a 'ctrl+' is not a key combination");
	EXPECT_ERROR("[vm.a]\nsource.0 = client\ninput = s\n[seat.s]\nhotkey.focus.a = ctrl+1\n"
		     "hotkey.focus.a = ctrl+2\n", 6, "duplicate key 'hotkey.focus.a' in [seat.s]");
	/* The same keys twice in a seat: only the first could fire. */
	EXPECT_ERROR("[vm.a]\nsource.0 = client\ninput = s\n[seat.s]\nhotkey.next = Ctrl+Alt+Right\n"
		     "hotkey.focus.a = alt+ctrl+right\n", 6,
		     "[seat.s] hotkey 'alt+ctrl+right' is already used (line 5)");
	EXPECT_ERROR("[seat.s]\nhotkey.focus.VN = ctrl+1\nhotkey.fokus.a = ctrl+2\n", 3,
		     "unknown key 'hotkey.fokus.a' in [seat.s]");

	/* A client-written drop-in must not grow a seat without bound. */
	char big[65 * 40 + 16];
	size_t len = (size_t)snprintf(big, sizeof(big), "[seat.s]\n");
	for (int i = 0; i <= CONFIG_MAX_VMS; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "hotkey.focus.v%d = ctrl+f%d\n", i,
					 1 + i % 24);
	char want[80];
	snprintf(want, sizeof(want), "[seat.s] has too many hotkey.focus.VM keys (at most %d)",
		 CONFIG_MAX_VMS);
	EXPECT_ERROR(big, CONFIG_MAX_VMS + 2, want);
}

/* focus-follows-pointer: the seat's monitors need a place and a size. */
static void follows_pointer(void)
{
	static const char text[] = "[monitor.l]\nconnector = A-1\nmode = 1024x768\nposition = 0,0\n"
				   "[monitor.r]\nconnector = A-2\nmode = 800x600\nposition = 1024,100\n"
				   "[seat.s]\nmonitors = l r\nfocus-follows-pointer = yes\n";
	struct config *cfg = expect_ok(text);
	const struct config_monitor *r = config_monitor_by_name(cfg, "r");
	CHECK(r->has_position && r->x == 1024 && r->y == 100);
	CHECK(cfg->seats[0].focus_follows_pointer);
	CHECK(!config_monitor_by_name(cfg, "l")->has_position || config_monitor_by_name(cfg, "l")->x == 0);
	config_free(cfg);
	EXPECT_ERROR("[monitor.l]\nconnector = A-1\nmode = 1024x768\n[seat.s]\nmonitors = l\n"
		     "focus-follows-pointer = yes\n", 6,
		     "[seat.s] focus-follows-pointer needs position = and mode = in [monitor.l]");
	EXPECT_ERROR("[seat.s]\nfocus-follows-pointer = yes\n", 2,
		     "[seat.s] focus-follows-pointer needs monitors =");
	EXPECT_ERROR("[seat.s]\nfocus-follows-pointer = maybe\n", 2,
		     "focus-follows-pointer 'maybe' is not yes or no");
	EXPECT_ERROR("[monitor.l]\nconnector = A-1\nposition = 10\n", 3,
		     "position '10' is not X,Y (for example 1920,0)");
	EXPECT_ERROR("[monitor.l]\nconnector = A-1\nposition = 10,-1\n", 3,
		     "position '10,-1' is not X,Y with each from 0 to 65536");
	EXPECT_ERROR("[monitor.l]\nconnector = A-1\nposition = 99999,0\n", 3,
		     "is not X,Y with each from 0 to 65536");
}

static const struct test_case cases[] = {
	{ "full_layout", full_layout },
	{ "defaults", defaults },
	{ "minimal_form", minimal_form },
	{ "syntax_accepted", syntax_accepted },
	{ "syntax_errors", syntax_errors },
	{ "unknown_sections", unknown_sections },
	{ "unknown_keys", unknown_keys },
	{ "duplicates", duplicates },
	{ "references", references },
	{ "claims", claims },
	{ "monitors", monitors },
	{ "vm_values", vm_values },
	{ "owners", owners },
	{ "daemon_values", daemon_values },
	{ "seat_values", seat_values },
	{ "warnings", warnings },
	{ "all_errors_at_once", all_errors_at_once },
	{ "limits", limits },
	{ "dropins_override_in_name_order", dropins_override_in_name_order },
	{ "empty_values_reset", empty_values_reset },
	{ "missing_file", missing_file },
	{ "missing_file_optional", missing_file_optional },
	{ "diags_accumulate", diags_accumulate },
	{ "focus_hotkeys", focus_hotkeys },
	{ "follows_pointer", follows_pointer },
};

int main(int argc, char **argv)
{
	int r = RUN_TESTS(cases, argc, argv);
	config_diags_clear(&diags);
	return r;
}
