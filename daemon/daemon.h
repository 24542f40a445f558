/* SPDX-License-Identifier: MIT */
#pragma once

struct daemon_options {
	const char *config_path;
	const char *dropin_dir;
	const char *socket_path;       /* NULL: [daemon] socket=, else the default */
};

/* Runs the daemon until a signal stops it; the process exit status. */
int daemon_run(const struct daemon_options *opts);
