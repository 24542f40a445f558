/* SPDX-License-Identifier: MIT */
/*
 * Test tool: looks at a running directflipd's leases from outside, through
 * the kernel. pidfd_getfd() duplicates the daemon's open DRM files, so the
 * lessor's file answers drmModeListLessees and each lessee file shows what
 * that lessee can see. Prints one JSON document:
 *   {"lessees":[ids],"leases":[{"crtcs":[..],"connectors":[..],"planes":[..]}]}
 * With --cross-commit it also tries, through each lease, to switch off the
 * CRTC of every other lease and reports the errno the kernel gave.
 * With --hold FIFO it keeps the duplicated files (as a VMM holding its
 * lease fd would), waits for a line on FIFO, and prints the document
 * again through the same files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drm-props.h"

#define MAX_FILES 64

struct dfile {
	int fd;
	bool lessor;
	drmModeRes *res;
	drmModePlaneRes *planes;
};

static int grab(int pidfd, int target)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
}

static void print_ids(const char *name, const uint32_t *ids, int n, bool comma)
{
	printf("\"%s\":[", name);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", ids[i]);
	printf("]%s", comma ? "," : "");
}

static void print_doc(struct dfile *files, int n, bool cross)
{
	printf("{");
	for (int i = 0; i < n; i++) {
		if (!files[i].lessor)
			continue;
		drmModeLesseeListPtr l = drmModeListLessees(files[i].fd);
		print_ids("lessees", l ? l->lessees : NULL, l ? (int)l->count : 0, true);
		drmFree(l);
		break;
	}
	printf("\"leases\":[");
	bool first = true;
	for (int i = 0; i < n; i++) {
		struct dfile *f = &files[i];
		if (f->lessor || !f->res)
			continue;
		printf("%s{", first ? "" : ",");
		first = false;
		print_ids("crtcs", f->res->crtcs, f->res->count_crtcs, true);
		print_ids("connectors", f->res->connectors, f->res->count_connectors, true);
		print_ids("planes", f->planes ? f->planes->planes : NULL,
			  f->planes ? (int)f->planes->count_planes : 0, cross);
		if (cross) {
			printf("\"cross_commit\":[");
			bool cf = true;
			for (int j = 0; j < n; j++) {
				struct dfile *o = &files[j];
				if (j == i || o->lessor || !o->res || o->res->count_crtcs < 1)
					continue;
				uint32_t crtc = o->res->crtcs[0];
				/* Use the lessor's view for the property id: the
				 * lessee cannot even see the other CRTC. */
				uint32_t active = drm_props_id(o->fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE");
				drmModeAtomicReq *req = drmModeAtomicAlloc();
				drmModeAtomicAddProperty(req, crtc, active, 0);
				int r = drmModeAtomicCommit(f->fd, req,
							    DRM_MODE_ATOMIC_TEST_ONLY |
								    DRM_MODE_ATOMIC_ALLOW_MODESET,
							    NULL);
				int err = r ? errno : 0;
				drmModeAtomicFree(req);
				printf("%s{\"crtc\":%u,\"errno\":%d,\"error\":\"%s\"}", cf ? "" : ",", crtc,
				       err, err ? strerror(err) : "none");
				cf = false;
			}
			printf("]");
		}
		printf("}");
	}
	printf("]}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lease-inspect PID [--cross-commit | --hold FIFO]\n");
		return 2;
	}
	char *end;
	errno = 0;
	long pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0) {
		fprintf(stderr, "lease-inspect: bad pid '%s'\n", argv[1]);
		return 2;
	}
	bool cross = argc > 2 && strcmp(argv[2], "--cross-commit") == 0;
	const char *hold = argc > 3 && strcmp(argv[2], "--hold") == 0 ? argv[3] : NULL;
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "lease-inspect: pidfd_open %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	char fddir[64];
	snprintf(fddir, sizeof(fddir), "/proc/%ld/fd", pid);
	DIR *dir = opendir(fddir);
	if (!dir) {
		fprintf(stderr, "lease-inspect: %s: %s\n", fddir, strerror(errno));
		return 1;
	}
	struct dfile files[MAX_FILES];
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dir)) && n < MAX_FILES) {
		errno = 0;
		long target = strtol(de->d_name, &end, 10);
		if (errno || *end || target < 0)
			continue;
		int fd = grab(pidfd, (int)target);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 226 ||
		    minor(st.st_rdev) >= 64) {
			close(fd);
			continue;
		}
		drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
		drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
		files[n] = (struct dfile){ .fd = fd };
		files[n].res = drmModeGetResources(fd);
		files[n].planes = drmModeGetPlaneResources(fd);
		n++;
	}
	closedir(dir);
	if (n == 0) {
		/* Not "no lessees": the process holds no card (or is exiting). */
		fprintf(stderr, "lease-inspect: pid %ld holds no DRM card fd\n", pid);
		close(pidfd);
		return 1;
	}

	/* The lessor sees every object; a lessee only what it leased. */
	int lessor = -1, most = -1;
	for (int i = 0; i < n; i++) {
		drmModeObjectListPtr objs = drmModeGetLease(files[i].fd);
		int count = objs ? (int)objs->count : -1;
		drmFree(objs);
		if (count > most) {
			most = count;
			lessor = i;
		}
	}
	if (lessor >= 0)
		files[lessor].lessor = true;

	print_doc(files, n, cross);
	if (hold) {
		FILE *f = fopen(hold, "re");
		char line[16];
		if (!f || !fgets(line, sizeof(line), f)) {
			fprintf(stderr, "lease-inspect: %s: no line\n", hold);
			return 1;
		}
		fclose(f);
		for (int i = 0; i < n; i++) {
			drmModeFreeResources(files[i].res);
			drmModeFreePlaneResources(files[i].planes);
			files[i].res = drmModeGetResources(files[i].fd);
			files[i].planes = drmModeGetPlaneResources(files[i].fd);
		}
		print_doc(files, n, cross);
	}
	for (int i = 0; i < n; i++) {
		drmModeFreeResources(files[i].res);
		drmModeFreePlaneResources(files[i].planes);
		close(files[i].fd);
	}
	close(pidfd);
	return 0;
}
