/* SPDX-License-Identifier: MIT */
/*
 * directflip-qemu: shows a stock QEMU's display (-display dbus) on the
 * monitor directflipd leased to the VM, as that VM's lessee, and sends the
 * seat's input back to QEMU. One per VM, run as the VM's owner=.
 * docs/qemu.md and directflip-qemu(1) describe it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "qemu/bridge.h"
#include "qemu/log.h"

#ifndef DIRECTFLIP_VERSION
#define DIRECTFLIP_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: directflip-qemu --vm NAME [--address DBUS_ADDRESS | --qmp QMP_SOCKET]\n"
		"                       [--console N] [--socket PATH] [--reconnect]\n"
		"Shows QEMU's D-Bus display (-display dbus) on the monitor directflipd leases\n"
		"to VM NAME, and sends that VM's seat input to QEMU.\n"
		"\n"
		"  --vm NAME            the VM in directflipd's layout (run as its owner=)\n"
		"  --address ADDRESS    QEMU's D-Bus bus (default $DBUS_SESSION_BUS_ADDRESS),\n"
		"                       where QEMU owns the name org.qemu\n"
		"  --qmp SOCKET         p2p: QEMU's QMP socket (-display dbus,p2p=yes); the\n"
		"                       connection is made with getfd + add_client\n"
		"  --console N          QEMU's console N (default: the first graphic one)\n"
		"  --socket PATH        directflipd's control socket (default\n"
		"                       $DIRECTFLIP_SOCKET or /run/directflip/control)\n"
		"  --reconnect          when QEMU goes away, wait for the next one\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 stopped by a signal, 1 other failure, 2 bad usage, 3 no\n"
		"directflipd, 4 no QEMU, 5 no such VM, 6 not the VM's owner, 7 QEMU went away.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "address", required_argument, NULL, 'a' },
		{ "qmp", required_argument, NULL, 'q' },
		{ "console", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "reconnect", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct bridge_options o = { .where = { .index = -1 } };
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			o.vm = optarg;
			break;
		case 'a':
			o.where.address = optarg;
			break;
		case 'q':
			o.where.qmp = optarg;
			break;
		case 'c': {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n > 1023) {
				fprintf(stderr, "directflip-qemu: --console '%s' is not a console "
						"number (0 to 1023)\n", optarg);
				return BRIDGE_EXIT_USAGE;
			}
			o.where.index = (int)n;
			break;
		}
		case 's':
			o.socket = optarg;
			break;
		case 'r':
			o.reconnect = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("directflip-qemu %s\n", DIRECTFLIP_VERSION);
			return 0;
		default:
			usage(stderr);
			return BRIDGE_EXIT_USAGE;
		}
	}
	if (optind < argc || !o.vm) {
		fprintf(stderr, "directflip-qemu: %s\n",
			optind < argc ? "unexpected arguments" : "--vm NAME is required");
		usage(stderr);
		return BRIDGE_EXIT_USAGE;
	}
	if (o.where.address && o.where.qmp) {
		fprintf(stderr, "directflip-qemu: --address and --qmp exclude each other\n");
		return BRIDGE_EXIT_USAGE;
	}
	log_set_vm(o.vm);

	sd_event *ev = NULL;
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int r = sd_event_default(&ev);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGINT, NULL, NULL);
	if (r < 0) {
		log_line("action=exit why=\"event loop: %s\"", strerror(-r));
		sd_event_unref(ev);
		return BRIDGE_EXIT_FAILURE;
	}
	struct bridge *b = NULL;
	int code = bridge_new(ev, &o, &b);
	if (code == 0) {
		log_line("action=started version=%s", DIRECTFLIP_VERSION);
		r = sd_event_loop(ev);
		code = r < 0 ? BRIDGE_EXIT_FAILURE : r;
		if (code == 0)
			log_line("action=stopped why=\"signal\"");
		bridge_free(b);
	}
	sd_event_unref(ev);
	return code;
}
