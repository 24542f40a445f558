#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/probe.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: directflipd [OPTIONS]\n"
		"\n"
		"Leases host KMS resources to VMs and maps vGPU framebuffers onto planes.\n"
		"\n"
		"  --probe            list cards, connectors, CRTCs and planes, then exit\n"
		"  --json             with --probe: print JSON instead of a table\n"
		"  -h, --help         show this help\n"
		"  --version          show the version\n");
}

int main(int argc, char **argv)
{
	enum { OPT_PROBE = 256, OPT_JSON, OPT_VERSION };
	static const struct option opts[] = {
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	bool probe = false, json = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
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
	if (optind < argc) {
		fprintf(stderr, "directflipd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (json && !probe) {
		fprintf(stderr, "directflipd: --json goes with --probe\n");
		return 2;
	}
	if (probe)
		return probe_main(json);
	usage(stderr);
	return 2;
}
