/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "config/load.h"
#include "daemon/daemon.h"
#include "daemon/probe.h"

#define DEFAULT_CONFIG "/etc/directflip/directflip.ini"
#define DEFAULT_DROPIN "/etc/directflip/directflip.d"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: directflipd [OPTIONS]\n"
		"\n"
		"Leases host KMS resources to VMs and maps vGPU framebuffers onto planes.\n"
		"\n"
		"  -c, --config FILE      layout file (default " DEFAULT_CONFIG ")\n"
		"      --dropin-dir DIR   drop-in directory (default " DEFAULT_DROPIN ")\n"
		"      --socket PATH      control socket (default [daemon] socket=, else\n"
		"                         /run/directflip/control); state.json goes beside it\n"
		"      --check-config     validate the layout, print every problem, exit 0 or 1\n"
		"      --probe            list cards, connectors, CRTCs and planes, then exit\n"
		"      --json             with --probe: print JSON instead of a table\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n");
}

static int check_config(const char *path, const char *dropin)
{
	struct config_diags diags = { 0 };
	struct config *cfg = NULL;
	int r = config_load(path, dropin, &cfg, &diags);
	for (size_t i = 0; i < diags.n; i++) {
		char *line = config_diag_format(&diags.items[i]);
		fprintf(stderr, "%s\n", line ? line : diags.items[i].message);
		free(line);
	}
	if (diags.n_dropped)
		fprintf(stderr, "%zu more not shown\n", diags.n_dropped);
	config_diags_clear(&diags);
	config_free(cfg);
	if (r < 0)
		return 1;
	printf("%s: OK\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_PROBE = 256, OPT_JSON, OPT_VERSION, OPT_CHECK, OPT_DROPIN, OPT_SOCKET };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dropin-dir", required_argument, NULL, OPT_DROPIN },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	bool probe = false, json = false, check = false;
	struct daemon_options dopts = { .config_path = DEFAULT_CONFIG, .dropin_dir = DEFAULT_DROPIN };
	bool dropin_given = false, config_given = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dopts.config_path = optarg;
			config_given = true;
			break;
		case OPT_DROPIN:
			dopts.dropin_dir = optarg;
			dropin_given = true;
			break;
		case OPT_SOCKET:
			if (optarg[0] != '/') {
				fprintf(stderr, "directflipd: --socket needs an absolute path\n");
				return 2;
			}
			dopts.socket_path = optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_PROBE:
			probe = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("directflipd %s\n", DIRECTFLIP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* `--check-config FILE` reads naturally; accept the file there too. */
	if (check && optind < argc) {
		dopts.config_path = argv[optind++];
		config_given = true;
	}
	if (optind < argc) {
		fprintf(stderr, "directflipd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (json && !probe) {
		fprintf(stderr, "directflipd: --json goes with --probe\n");
		return 2;
	}
	/* A layout given explicitly does not silently pick up the system's drop-ins. */
	if (config_given && !dropin_given)
		dopts.dropin_dir = NULL;
	if (probe)
		return probe_main(json);
	if (check)
		return check_config(dopts.config_path, dopts.dropin_dir);
	return daemon_run(&dopts);
}
