/* SPDX-License-Identifier: MIT */
#include "daemon/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

void service_ready(void)
{
	sd_notify(0, "READY=1");
}

void service_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_status(const char *text)
{
	sd_notifyf(0, "STATUS=%s", text);
}

int service_watchdog(sd_event *loop)
{
	return sd_event_set_watchdog(loop, 1);
}

int service_fdstore_enabled(void)
{
	const char *v = getenv("DIRECTFLIP_FDSTORE");
	return v && strcmp(v, "1") == 0 && getenv("NOTIFY_SOCKET") != NULL;
}

int service_store_fd(int fd, const char *name)
{
	if (!service_fdstore_enabled())
		return 0;
	char msg[300];
	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", name);
	int r = sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	return r < 0 ? r : 0;
}

void service_forget_fd(const char *name)
{
	if (!service_fdstore_enabled())
		return;
	sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", name);
}

int service_take_fds(struct service_fds *out)
{
	*out = (struct service_fds){ 0 };
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names);
	if (n <= 0)
		return n;
	out->fds = calloc((size_t)n, sizeof(int));
	if (!out->fds) {
		for (int i = 0; i < n; i++) {
			close(SD_LISTEN_FDS_START + i);
			free(names[i]);
		}
		free(names);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		out->fds[i] = SD_LISTEN_FDS_START + i;
	out->names = names;
	out->n = (size_t)n;
	return n;
}

int service_fds_take(struct service_fds *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->fds[i] >= 0 && set->names[i] && strcmp(set->names[i], name) == 0) {
			int fd = set->fds[i];
			set->fds[i] = -1;
			return fd;
		}
	}
	return -1;
}

void service_fds_release(struct service_fds *set)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->fds[i] >= 0)
			close(set->fds[i]);
		if (set->names)
			free(set->names[i]);
	}
	free(set->names);
	free(set->fds);
	*set = (struct service_fds){ 0 };
}
