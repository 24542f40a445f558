/* SPDX-License-Identifier: MIT */
/*
 * Loading a layout: the main file, then its drop-ins in name order, all
 * into one struct config, then whole-layout validation. A drop-in may add
 * sections or re-open one by name; its keys override earlier files'.
 */
#include "config/load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/parser.h"
#include "config/validate.h"

static void read_stream(struct parser *p, const char *name, FILE *f)
{
	p->f = f;
	parser_read(p, name);
	p->f = NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dropin_name(const char *name)
{
	size_t len = strlen(name);
	return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".ini") == 0;
}

/* The *.ini names in d, sorted; NULL with *n = 0 when there are none. */
static char **list_dropins(struct parser *p, DIR *d, const char *dir, size_t *n)
{
	char **names = NULL;
	*n = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (!is_dropin_name(de->d_name))
			continue;
		char **grown = realloc(names, (*n + 1) * sizeof(*names));
		if (!grown || !(grown[*n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			p->oom = true;
			break;
		}
		names = grown;
		(*n)++;
		errno = 0;
	}
	if (!de && errno != 0)
		config_diags_add(p->diags, CONFIG_ERROR, dir, 0, "cannot read the directory: %s",
				 strerror(errno));
	if (*n > 0)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static void read_dropin(struct parser *p, int dfd, const char *dir, const char *name)
{
	char *path = NULL;
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";
	if (asprintf(&path, "%s%s%s", dir, sep, name) < 0) {
		p->oom = true;
		return;
	}
	/* O_NONBLOCK: a FIFO named x.ini must not hang the daemon. */
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		config_diags_add(p->diags, CONFIG_ERROR, path, 0, "cannot open: %s", strerror(errno));
		goto free_path;
	}
	if (fstat(fd, &st) < 0) {
		config_diags_add(p->diags, CONFIG_ERROR, path, 0, "cannot open: %s", strerror(errno));
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		config_diags_add(p->diags, CONFIG_WARNING, path, 0, "not a regular file, ignoring");
		goto close_fd;
	}
	FILE *f = fdopen(fd, "re");
	if (!f) {
		p->oom = true;
		goto close_fd;
	}
	read_stream(p, path, f);
	fclose(f);
	goto free_path;

close_fd:
	close(fd);
free_path:
	free(path);
}

static void read_dropins(struct parser *p, const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		/* No drop-in directory is the usual case. */
		if (errno != ENOENT)
			config_diags_add(p->diags, CONFIG_ERROR, dir, 0, "cannot read the directory: %s",
					 strerror(errno));
		return;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		p->oom = true;
		close(dfd);
		return;
	}
	size_t n;
	char **names = list_dropins(p, d, dir, &n);
	for (size_t i = 0; i < n && !p->oom; i++)
		read_dropin(p, dirfd(d), dir, names[i]);
	config_words_free(names, n);
	closedir(d);
}

static struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (cfg)
		config_daemon_init(&cfg->daemon);
	return cfg;
}

/* Validates, and hands the layout over unless this load found an error. */
static int finish(struct parser *p, size_t first_diag, size_t errors_before, struct config **out)
{
	struct config *cfg = p->cfg;
	parser_fini(p);
	if (p->oom) {
		config_free(cfg);
		return -ENOMEM;
	}
	config_validate(cfg, p->diags);
	config_diags_sort(p->diags, first_diag, (const char *const *)cfg->files, cfg->n_files);
	if (p->diags->n_errors > errors_before) {
		config_free(cfg);
		return -EINVAL;
	}
	*out = cfg;
	return 0;
}

static int load(const char *file, const char *dropin_dir, struct config **out,
		struct config_diags *diags, bool *missing)
{
	if (!file)
		return -EINVAL;
	size_t first_diag = diags->n, errors_before = diags->n_errors;
	struct parser p = { .diags = diags, .cfg = config_new() };
	if (!p.cfg)
		return -ENOMEM;
	FILE *f = fopen(file, "re");
	if (!f && missing && errno == ENOENT) {
		*missing = true;
	} else if (!f) {
		config_diags_add(diags, CONFIG_ERROR, file, 0, "cannot open: %s", strerror(errno));
	} else {
		read_stream(&p, file, f);
		fclose(f);
	}
	if (dropin_dir && !p.oom)
		read_dropins(&p, dropin_dir);
	return finish(&p, first_diag, errors_before, out);
}

int config_load(const char *file, const char *dropin_dir, struct config **out,
		struct config_diags *diags)
{
	return load(file, dropin_dir, out, diags, NULL);
}

int config_load_optional(const char *file, const char *dropin_dir, struct config **out,
			 struct config_diags *diags, bool *missing)
{
	*missing = false;
	return load(file, dropin_dir, out, diags, missing);
}

int config_load_string(const char *text, const char *name, struct config **out,
		       struct config_diags *diags)
{
	if (!text)
		return -EINVAL;
	size_t first_diag = diags->n, errors_before = diags->n_errors;
	struct parser p = { .diags = diags, .cfg = config_new(), .text = text };
	if (!p.cfg)
		return -ENOMEM;
	parser_read(&p, name ? name : "<string>");
	return finish(&p, first_diag, errors_before, out);
}
