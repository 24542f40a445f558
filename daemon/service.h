/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <systemd/sd-event.h>

/* The service manager's side: readiness, status, watchdog and the file
 * descriptor store. Every call is a no-op outside systemd. */

void service_ready(void);
void service_reloading(void);
/* What systemctl status shows under the unit's name. */
void service_status(const char *text);
/* WATCHDOG=1 from the loop itself, so a stuck loop misses it. */
int service_watchdog(sd_event *loop);

/* True when the unit asked for fd-store handover (DIRECTFLIP_FDSTORE=1):
 * leases then outlive the process, across a crash or a restart. */
int service_fdstore_enabled(void);
int service_store_fd(int fd, const char *name);
void service_forget_fd(const char *name);

/* Descriptors handed back at start (LISTEN_FDS/LISTEN_FDNAMES). */
struct service_fds {
	int *fds;
	char **names;
	size_t n;
};
int service_take_fds(struct service_fds *out);
/* The fd stored as name, removed from the set (-1 if none). */
int service_fds_take(struct service_fds *set, const char *name);
/* Closes what nobody took. */
void service_fds_release(struct service_fds *set);
