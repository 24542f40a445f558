/* SPDX-License-Identifier: MIT */
#include "config/dropin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int config_dropin_write_binding(const char *dir, const struct config_binding_dropin *b,
				char *path, size_t path_size, char *failed, size_t failed_size,
				bool *dir_failed)
{
	*dir_failed = false;
	snprintf(path, path_size, "%s/90-vgpu-assign-%s.ini", dir, b->vm);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* The directory may not exist yet on a fresh install. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		*dir_failed = true;
		snprintf(failed, failed_size, "%s", dir);
		return -errno;
	}
	FILE *f = fopen(tmp, "wxe");
	if (!f) {
		snprintf(failed, failed_size, "%s", tmp);
		return -errno;
	}
	time_t now = time(NULL);
	char when[64] = "";
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(f, "; Written by `vgpu-assign bind --permanent` (uid %u) on %s.\n"
		   "; Remove this file and reload to undo.\n",
		b->uid, when);
	if (b->define_monitor)
		fprintf(f, "\n[monitor.%s]\nconnector = %s\n", b->monitor, b->monitor);
	fprintf(f, "\n[vm.%s]\nmonitor = %s\n", b->vm, b->monitor);
	if (b->has_planes)
		fprintf(f, "planes = %u\n", b->planes);
	if (b->mode && b->mode->set)
		fprintf(f, "mode = %ux%u@%u\n", b->mode->width, b->mode->height, b->mode->refresh);
	if (b->has_scaling)
		fprintf(f, "scaling = %s\n", config_scaling_name(b->scaling));
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		snprintf(failed, failed_size, "%s", path);
		return -e;
	}
	return 0;
}
