#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"

static struct config_diags diags;

/* Loads text; returns the result, leaves messages in diags. */
static int load(const char *text, struct config **out)
{
	config_diags_clear(&diags);
	return config_load_string(text, "t.ini", out, &diags);
}

/* True when some message is at `line` and contains `needle`. */
static bool has(unsigned line, const char *needle)
{
	for (size_t i = 0; i < diags.n; i++)
		if (diags.items[i].line == line && strstr(diags.items[i].message, needle))
			return true;
	for (size_t i = 0; i < diags.n; i++)
		fprintf(stderr, "  have %u: %s\n", diags.items[i].line, diags.items[i].message);
	return false;
}

static void expect_error(const char *text, unsigned line, const char *needle)
{
	struct config *cfg = (struct config *)0x1;
	CHECK_EQ_INT(load(text, &cfg), -EINVAL);
	CHECK(cfg == (struct config *)0x1);
	CHECK(diags.n_errors >= 1);
	if (!has(line, needle)) {
		fprintf(stderr, "missing at line %u: %s\n", line, needle);
		exit(1);
	}
}

static const char *full =
	"; a full layout\n"
	"[daemon]\n"
	"card = pci-0000:00:02.0\n"
	"socket = /run/directflip/control\n"
	"socket-group = video\n"
	"log-level = debug\n"
	"\n"
	"[monitor.left]\n"
	"connector = HDMI-A-1\n"
	"mode = 1920x1080@60\n"
	"[monitor.right]\n"
	"  edid = DEL/0xa0c4/12345\n"
	"[monitor.spare]\n"
	"connector = DP-2\n"
	"share = failover\n"
	"[vm.win]\n"
	"owner = 0\n"
	"monitor = left\n"
	"planes = 2\n"
	"source.0 = fb:/run/vgpu/win/plane0\n"
	"source.1 = gvt-sysfs:/sys/bus/pci/devices/0000:00:02.0/uuid\n"
	"scaling = center\n"
	"input = desk\n"
	"socket = yes\n"
	"on-vm-exit = black\n"
	"[vm.lin]\n"
	"owner = root\n"
	"monitor = right\n"
	"source.0 = client\n"
	"mode = 1280x1024\n"
	"[seat.desk]\n"
	"monitors = left, right\n"
	"input = /dev/input/event3\n"
	"input = ID_INPUT_KEYBOARD=1\n"
	"hotkey.next = ctrl+alt+right\n"
	"hotkey.release = ctrl+alt+F12\n";

static void full_layout(void)
{
	struct config *cfg = NULL;
	CHECK_EQ_INT(load(full, &cfg), 0);
	CHECK_EQ_INT(diags.n, 0);
	CHECK_EQ_STR(cfg->daemon.card, "pci-0000:00:02.0");
	CHECK_EQ_INT(cfg->daemon.log_level, 7);
	CHECK_EQ_INT(cfg->n_monitors, 3);
	const struct config_monitor *right = config_monitor_by_name(cfg, "right");
	CHECK(right && right->edid.set && right->edid.has_serial);
	CHECK_EQ_STR(right->edid.vendor, "DEL");
	CHECK_EQ_INT(right->edid.product, 0xa0c4);
	CHECK_EQ_INT(right->edid.serial, 12345);
	CHECK(right->connector == NULL);
	const struct config_monitor *left = config_monitor_by_name(cfg, "left");
	CHECK(left->mode.set && left->mode.width == 1920 && left->mode.refresh == 60);
	const struct config_vm *win = config_vm_by_name(cfg, "win");
	CHECK(win != NULL);
	CHECK_EQ_INT(win->planes, 2);
	CHECK_EQ_STR(win->sources[1], "gvt-sysfs:/sys/bus/pci/devices/0000:00:02.0/uuid");
	CHECK_EQ_INT(win->source_at[1].line, 21);
	CHECK_EQ_INT(win->monitor_at.line, 18);
	CHECK_EQ_INT(win->scaling, CONFIG_SCALING_CENTER);
	CHECK(win->socket && win->on_vm_exit == CONFIG_ON_VM_EXIT_BLACK);
	CHECK(win->has_owner && win->owner_uid == 0);
	const struct config_vm *lin = config_vm_by_name(cfg, "lin");
	CHECK(lin->has_owner && lin->owner_uid == 0);
	CHECK_EQ_INT(lin->planes, 1);
	CHECK_EQ_INT(cfg->seats[0].n_monitors, 2);
	CHECK_EQ_INT(cfg->seats[0].n_inputs, 2);
	CHECK_EQ_STR(cfg->seats[0].hotkey_release, "ctrl+alt+F12");
	config_free(cfg);
}

static void unknown_key_suggests(void)
{
	expect_error("[vm.a]\nplane = 2\n", 2, "unknown key 'plane' in [vm.a]; did you mean 'planes'?");
	expect_error("[monitor.m]\nconector = X\n", 2, "did you mean 'connector'?");
	expect_error("[vm.a]\nfrobnicate = 1\n", 2, "unknown key 'frobnicate' in [vm.a]");
}

static void unknown_section_suggests(void)
{
	expect_error("[monitr.x]\nconnector = A\n", 1, "did you mean [monitor.NAME]?");
	expect_error("[deamon]\n", 1, "did you mean [daemon]?");
	expect_error("[whatever]\n", 1, "unknown section [whatever]");
}

static void duplicates(void)
{
	expect_error("[vm.a]\n[vm.a]\n", 2, "duplicate section [vm.a]; it was first defined at line 1");
	expect_error("[vm.a]\nplanes = 1\nplanes = 2\n", 3,
		     "duplicate key 'planes' in [vm.a]; it was first set at line 2");
}

static void undefined_references(void)
{
	expect_error("[vm.a]\nmonitor = nope\n", 2, "[vm.a] monitor 'nope' is not defined");
	expect_error("[vm.a]\ninput = nope\n", 2, "[vm.a] input seat 'nope' is not defined");
	expect_error("[seat.s]\nmonitors = x\n", 1, "[seat.s] monitor 'x' is not defined");
}

static void two_claims_need_share(void)
{
	const char *text = "[monitor.m]\nconnector = A\n[vm.a]\nmonitor = m\n[vm.b]\nmonitor = m\n";
	expect_error(text, 6, "[vm.b] and [vm.a] (t.ini:4) both claim monitor 'm'");
	struct config *cfg = NULL;
	CHECK_EQ_INT(load("[monitor.m]\nconnector = A\nshare = failover\n[vm.a]\nmonitor = m\n"
			  "[vm.b]\nmonitor = m\n",
			  &cfg),
		     0);
	config_free(cfg);
}

static void bad_values(void)
{
	expect_error("[vm.a]\nplanes = 9\n", 2, "planes '9' is not a number from 1 to 8");
	expect_error("[vm.a]\nplanes = -1\n", 2, "planes '-1'");
	expect_error("[vm.a]\nplanes = 2x\n", 2, "planes '2x'");
	expect_error("[vm.a]\nmode = 0x0\n", 2, "mode '0x0' is not WIDTHxHEIGHT");
	expect_error("[vm.a]\nmode = 1920x\n", 2, "mode '1920x'");
	expect_error("[vm.a]\nmode = 1920x1080@2000\n", 2, "mode '1920x1080@2000'");
	expect_error("[vm.a]\nscaling = zoom\n", 2, "scaling 'zoom' is not fit, stretch, center or none");
	expect_error("[vm.a]\nsocket = maybe\n", 2, "socket 'maybe' is not yes or no");
	expect_error("[vm.a]\non-vm-exit = explode\n", 2, "on-vm-exit 'explode'");
	expect_error("[vm.a]\nsource.0 = http://x\n", 2, "source.0 'http://x' is not fb:ID");
	expect_error("[vm.a]\nsource.8 = client\n", 2, "'source.8': the plane index must be 0 to 7");
	expect_error("[vm.a]\nowner = no-such-user-here\n", 2,
		     "owner 'no-such-user-here' is neither a user");
	expect_error("[daemon]\nlog-level = loud\n", 2, "log-level 'loud'");
	expect_error("[daemon]\nsocket = relative\n", 2, "socket must be an absolute path");
	expect_error("[monitor.m]\nedid = dell/1\n", 2, "edid 'dell/1' is not VENDOR/PRODUCT");
	expect_error("[monitor.m]\nconnector = A\nshare = sometimes\n", 3, "share 'sometimes'");
	expect_error("[monitor.m]\nmode = big\nconnector = A\n", 2, "mode 'big'");
	expect_error("[monitor.m]\n", 1, "[monitor.m] needs connector= or edid=");
	expect_error("[seat.s]\nhotkey.next = ctrl+hyper+x\n", 2, "hotkey.next 'ctrl+hyper+x'");
	expect_error("[vm.bad!name]\n", 1, "invalid name 'bad!name'");
}

static void syntax(void)
{
	expect_error("[vm.a\n", 1, "section header without ']'");
	expect_error("[vm.a]\njust words\n", 2, "expected 'key = value'");
	expect_error("planes = 1\n", 1, "'planes' appears before any [section]");
	char longline[400];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "[vm.a]\nsource.0 = fb:/", 22);
	longline[398] = '\n';
	longline[399] = '\0';
	expect_error(longline, 2, "line too long");
}

static void all_errors_at_once(void)
{
	struct config *cfg = NULL;
	CHECK_EQ_INT(load("[vm.a]\nplane = 1\nmonitor = x\n[bogus]\n[vm.b]\nscaling = no\n", &cfg),
		     -EINVAL);
	CHECK_EQ_INT(diags.n_errors, 4);
	CHECK(has(2, "unknown key 'plane'"));
	CHECK(has(3, "monitor 'x' is not defined"));
	CHECK(has(4, "unknown section [bogus]"));
	CHECK(has(6, "scaling 'no'"));
	char *line = config_diag_format(&diags.items[0]);
	CHECK_EQ_STR(line, "t.ini:2: error: unknown key 'plane' in [vm.a]; did you mean 'planes'?");
	free(line);
}

static void warnings_do_not_fail(void)
{
	struct config *cfg = NULL;
	CHECK_EQ_INT(load("[vm.a]\nplanes = 1\nsource.3 = client\n", &cfg), 0);
	CHECK_EQ_INT(diags.n_errors, 0);
	CHECK(has(3, "source.3 is ignored: the vm has planes = 1"));
	config_free(cfg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void dropins_override_in_name_order(void)
{
	char dir[] = "/tmp/df-config-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char main_path[256], d[256], a[300], b[300], ignored[300];
	snprintf(main_path, sizeof(main_path), "%s/main.ini", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(a, sizeof(a), "%s/10-a.ini", d);
	snprintf(b, sizeof(b), "%s/20-b.ini", d);
	snprintf(ignored, sizeof(ignored), "%s/30-c.conf", d);
	CHECK(mkdir(d, 0700) == 0);
	write_file(main_path, "[monitor.m]\nconnector = A\n[vm.x]\nmonitor = m\nplanes = 1\n");
	write_file(b, "[vm.x]\nplanes = 3\n");
	write_file(a, "[vm.x]\nplanes = 2\nscaling = none\n[vm.y]\n");
	write_file(ignored, "[garbage\n");
	struct config *cfg = NULL;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load(main_path, d, &cfg, &diags), 0);
	const struct config_vm *x = config_vm_by_name(cfg, "x");
	CHECK_EQ_INT(x->planes, 3);
	CHECK_EQ_INT(x->scaling, CONFIG_SCALING_NONE);
	CHECK(config_vm_by_name(cfg, "y") != NULL);
	config_free(cfg);

	/* An error in a drop-in is reported with that file's name. */
	write_file(b, "[vm.x]\nplanes = 30\n");
	CHECK_EQ_INT(config_load(main_path, d, &cfg, &diags), -EINVAL);
	bool found = false;
	for (size_t i = 0; i < diags.n; i++)
		found |= strcmp(diags.items[i].file, b) == 0 && diags.items[i].line == 2;
	CHECK(found);
	unlink(a);
	unlink(b);
	unlink(ignored);
	rmdir(d);
	unlink(main_path);
	rmdir(dir);
}

static void missing_file(void)
{
	struct config *cfg = NULL;
	config_diags_clear(&diags);
	CHECK_EQ_INT(config_load("/nonexistent/directflip.ini", NULL, &cfg, &diags), -EINVAL);
	CHECK(strstr(diags.items[0].message, "cannot open") != NULL);
	CHECK_EQ_STR(diags.items[0].file, "/nonexistent/directflip.ini");
}

static void modes(void)
{
	struct config_mode m;
	CHECK_EQ_INT(config_parse_mode("1920x1080", &m), 0);
	CHECK(m.set && m.width == 1920 && m.height == 1080 && m.refresh == 0);
	CHECK_EQ_INT(config_parse_mode("640x480@75", &m), 0);
	CHECK_EQ_INT(m.refresh, 75);
	const char *bad[] = { "", "x", "1920", "1920x", "x1080", "0x1080", "1920x0", "-1x5",
			      "1920x1080@", "1920x1080@0", "19 20x1080", "99999x1", "1920X1080" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(config_parse_mode(bad[i], &m) == -EINVAL);
}

static const struct test_case cases[] = {
	{ "full_layout", full_layout },
	{ "unknown_key_suggests", unknown_key_suggests },
	{ "unknown_section_suggests", unknown_section_suggests },
	{ "duplicates", duplicates },
	{ "undefined_references", undefined_references },
	{ "two_claims_need_share", two_claims_need_share },
	{ "bad_values", bad_values },
	{ "syntax", syntax },
	{ "all_errors_at_once", all_errors_at_once },
	{ "warnings_do_not_fail", warnings_do_not_fail },
	{ "dropins_override_in_name_order", dropins_override_in_name_order },
	{ "missing_file", missing_file },
	{ "modes", modes },
};

int main(int argc, char **argv)
{
	int r = RUN_TESTS(cases, argc, argv);
	config_diags_clear(&diags);
	return r;
}
