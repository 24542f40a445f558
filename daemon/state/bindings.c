/* SPDX-License-Identifier: MIT */
#include "daemon/state/bindings.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/number.h"

#define STATE_VERSION 1

struct control_bindings {
	char *path;
	struct control_binding *items;
	size_t n;
};

void control_binding_clear(struct control_binding *bd)
{
	if (!bd)
		return;
	free(bd->vm);
	free(bd->monitor);
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		free(bd->sources[k]);
	*bd = (struct control_binding){ 0 };
}

static bool dup_str(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return true;
	*out = strdup(s);
	return *out != NULL;
}

int control_binding_copy(const struct control_binding *from, struct control_binding *to)
{
	struct control_binding c = *from;
	/* Every copy is tried so that clear frees exactly what was made. */
	bool ok = dup_str(from->vm, &c.vm);
	ok = dup_str(from->monitor, &c.monitor) && ok;
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		ok = dup_str(from->sources[k], &c.sources[k]) && ok;
	if (!ok) {
		control_binding_clear(&c);
		return -ENOMEM;
	}
	*to = c;
	return 0;
}

void control_bindings_free(struct control_bindings *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		control_binding_clear(&b->items[i]);
	free(b->items);
	free(b->path);
	free(b);
}

const char *control_bindings_path(const struct control_bindings *b)
{
	return b->path;
}

size_t control_bindings_count(const struct control_bindings *b)
{
	return b->n;
}

const struct control_binding *control_bindings_at(const struct control_bindings *b, size_t i)
{
	return i < b->n ? &b->items[i] : NULL;
}

const struct control_binding *control_bindings_find(const struct control_bindings *b,
						    const char *vm)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->items[i].vm, vm) == 0)
			return &b->items[i];
	return NULL;
}

int control_bindings_set(struct control_bindings *b, const struct control_binding *bd)
{
	struct control_binding copy;
	int r = control_binding_copy(bd, &copy);
	if (r < 0)
		return r;
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->items[i].vm, bd->vm) == 0) {
			control_binding_clear(&b->items[i]);
			b->items[i] = copy;
			return 0;
		}
	}
	struct control_binding *grown = realloc(b->items, (b->n + 1) * sizeof(*grown));
	if (!grown) {
		control_binding_clear(&copy);
		return -ENOMEM;
	}
	b->items = grown;
	b->items[b->n++] = copy;
	return 0;
}

void control_bindings_forget(struct control_bindings *b, const char *vm)
{
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->items[i].vm, vm) == 0) {
			control_binding_clear(&b->items[i]);
			b->items[i] = b->items[--b->n];
			return;
		}
	}
}

/* ---- state file ---- */

static struct json_object *binding_json(const struct control_binding *bd)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	if (bd->has_monitor)
		json_object_object_add(o, "monitor",
				       bd->monitor ? json_object_new_string(bd->monitor) : NULL);
	if (bd->has_planes)
		json_object_object_add(o, "planes", json_object_new_int((int)bd->planes));
	if (bd->has_mode) {
		struct json_object *m = json_object_new_object();
		json_object_object_add(m, "width", json_object_new_int64(bd->mode.width));
		json_object_object_add(m, "height", json_object_new_int64(bd->mode.height));
		json_object_object_add(m, "refresh", json_object_new_int64(bd->mode.refresh));
		json_object_object_add(o, "mode", bd->mode.set ? m : NULL);
		if (!bd->mode.set)
			json_object_put(m);
	}
	if (bd->has_scaling)
		json_object_object_add(o, "scaling",
				       json_object_new_string(config_scaling_name(bd->scaling)));
	struct json_object *src = json_object_new_object();
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++) {
		if (bd->sources[k]) {
			char key[8];
			snprintf(key, sizeof(key), "%zu", k);
			json_object_object_add(src, key, json_object_new_string(bd->sources[k]));
		}
	}
	if (json_object_object_length(src) > 0)
		json_object_object_add(o, "sources", src);
	else
		json_object_put(src);
	return o;
}

int control_bindings_save(const struct control_bindings *b)
{
	struct json_object *root = json_object_new_object();
	struct json_object *vms = json_object_new_object();
	if (!root || !vms) {
		json_object_put(root);
		json_object_put(vms);
		return -ENOMEM;
	}
	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "vms", vms);
	for (size_t i = 0; i < b->n; i++)
		json_object_object_add(vms, b->items[i].vm, binding_json(&b->items[i]));
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	char tmp[4200];
	int r = 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", b->path) >= sizeof(tmp)) {
		json_object_put(root);
		return -ENAMETOOLONG;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (r == 0 && write(fd, "\n", 1) != 1)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, b->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out:
	json_object_put(root);
	return r;
}

static int parse_binding(const char *vm, struct json_object *o, struct control_binding *bd,
			 char *err, size_t errlen)
{
	*bd = (struct control_binding){ 0 };
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "vm %s: not an object", vm);
		return -EINVAL;
	}
	struct json_object *v;
	bd->vm = strdup(vm);
	if (!bd->vm)
		return -ENOMEM;
	if (json_object_object_get_ex(o, "monitor", &v)) {
		bd->has_monitor = true;
		if (v && !json_object_is_type(v, json_type_string))
			goto bad;
		if (v && !(bd->monitor = strdup(json_object_get_string(v))))
			return -ENOMEM;
	}
	if (json_object_object_get_ex(o, "planes", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int(v) < 1 ||
		    json_object_get_int(v) > CONFIG_MAX_PLANES)
			goto bad;
		bd->has_planes = true;
		bd->planes = (unsigned)json_object_get_int(v);
	}
	if (json_object_object_get_ex(o, "mode", &v)) {
		bd->has_mode = true;
		if (v) {
			struct json_object *w, *h, *rf;
			if (!json_object_object_get_ex(v, "width", &w) ||
			    !json_object_object_get_ex(v, "height", &h) ||
			    !json_object_object_get_ex(v, "refresh", &rf) ||
			    !json_object_is_type(w, json_type_int) ||
			    !json_object_is_type(h, json_type_int) ||
			    !json_object_is_type(rf, json_type_int))
				goto bad;
			int64_t wv = json_object_get_int64(w), hv = json_object_get_int64(h),
				rv = json_object_get_int64(rf);
			if (wv < 1 || wv > 65535 || hv < 1 || hv > 65535 || rv < 0 || rv > 1000)
				goto bad;
			bd->mode = (struct config_mode){ true, (uint32_t)wv, (uint32_t)hv,
							 (uint32_t)rv };
		}
	}
	if (json_object_object_get_ex(o, "scaling", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    config_scaling_parse(json_object_get_string(v), &bd->scaling) < 0)
			goto bad;
		bd->has_scaling = true;
	}
	if (json_object_object_get_ex(o, "sources", &v)) {
		if (!json_object_is_type(v, json_type_object))
			goto bad;
		json_object_object_foreach(v, key, val) {
			uint32_t k;
			if (config_parse_u32(key, 0, CONFIG_MAX_PLANES - 1, &k) < 0 ||
			    !json_object_is_type(val, json_type_string))
				goto bad;
			free(bd->sources[k]);
			if (!(bd->sources[k] = strdup(json_object_get_string(val))))
				return -ENOMEM;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "vm %s: malformed entry", vm);
	return -EINVAL;
}

int control_bindings_load(const char *path, struct control_bindings **out, char *err,
			  size_t errlen)
{
	struct control_bindings *b = calloc(1, sizeof(*b));
	if (!b || !(b->path = strdup(path))) {
		free(b);
		return -ENOMEM;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = b;
		return 0;
	}
	struct json_object *root = json_object_from_file(path);
	int r = 0;
	struct json_object *ver, *vms;
	if (!root) {
		snprintf(err, errlen, "%s: not readable JSON: %s", path, json_util_get_last_err());
		r = -EINVAL;
	} else if (!json_object_object_get_ex(root, "version", &ver) ||
		   json_object_get_int(ver) != STATE_VERSION ||
		   !json_object_object_get_ex(root, "vms", &vms) ||
		   !json_object_is_type(vms, json_type_object)) {
		snprintf(err, errlen, "%s: not a version %d state file", path, STATE_VERSION);
		r = -EINVAL;
	} else {
		json_object_object_foreach(vms, vm, val) {
			struct control_binding bd;
			char why[128] = "";
			r = parse_binding(vm, val, &bd, why, sizeof(why));
			if (r == 0)
				r = control_bindings_set(b, &bd);
			control_binding_clear(&bd);
			if (r < 0) {
				snprintf(err, errlen, "%s: %s", path, why[0] ? why : strerror(-r));
				break;
			}
		}
	}
	json_object_put(root);
	if (r < 0) {
		control_bindings_free(b);
		return r;
	}
	*out = b;
	return 0;
}

/* ---- applying to a config ---- */

static const char *runtime_file(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_files; i++)
		if (strcmp(cfg->files[i], CONTROL_BINDINGS_WHERE) == 0)
			return cfg->files[i];
	char **files = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*files));
	if (!files)
		return NULL;
	cfg->files = files;
	if (!(files[cfg->n_files] = strdup(CONTROL_BINDINGS_WHERE)))
		return NULL;
	return files[cfg->n_files++];
}

int control_binding_apply(const struct control_binding *bd, struct config *cfg,
			  struct config_vm *vm)
{
	/* Everything that can fail happens before cfg changes. */
	const char *file = runtime_file(cfg);
	if (!file)
		return -ENOMEM;
	char *monitor = NULL;
	char *sources[CONFIG_MAX_PLANES] = { 0 };
	struct config_monitor add = { 0 };
	bool ok = !bd->has_monitor || dup_str(bd->monitor, &monitor);
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		ok = ok && dup_str(bd->sources[k], &sources[k]);
	bool need_monitor = ok && monitor && !config_monitor_by_name(cfg, monitor);
	if (need_monitor) {
		if (cfg->n_monitors >= CONFIG_MAX_MONITORS) {
			ok = false;
		} else {
			add.name = strdup(monitor);
			add.connector = strdup(monitor);
			add.where = (struct config_where){ file, 0 };
			struct config_monitor *grown =
				realloc(cfg->monitors, (cfg->n_monitors + 1) * sizeof(*grown));
			if (grown)
				cfg->monitors = grown;
			ok = add.name && add.connector && grown;
		}
	}
	if (!ok) {
		bool full = need_monitor && cfg->n_monitors >= CONFIG_MAX_MONITORS;
		free(monitor);
		free(add.name);
		free(add.connector);
		for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
			free(sources[k]);
		return full ? -E2BIG : -ENOMEM;
	}
	if (need_monitor)
		cfg->monitors[cfg->n_monitors++] = add;
	if (bd->has_monitor) {
		free(vm->monitor);
		vm->monitor = monitor;
		vm->monitor_at = (struct config_where){ file, 0 };
	}
	if (bd->has_planes)
		vm->planes = bd->planes;
	if (bd->has_mode)
		vm->mode = bd->mode;
	if (bd->has_scaling)
		vm->scaling = bd->scaling;
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++) {
		if (!sources[k])
			continue;
		free(vm->sources[k]);
		vm->sources[k] = sources[k];
		vm->source_at[k] = (struct config_where){ file, 0 };
	}
	return 0;
}

int control_bindings_apply(const struct control_bindings *b, struct config *cfg,
			   size_t *n_missing)
{
	*n_missing = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct config_vm *vm = NULL;
		for (size_t j = 0; j < cfg->n_vms && !vm; j++)
			if (strcmp(cfg->vms[j].name, b->items[i].vm) == 0)
				vm = &cfg->vms[j];
		/* A bind names a VM the layout may not have: the fresh start's
		 * empty layout. The binding makes it, with the defaults. */
		if (!vm && b->items[i].has_monitor && b->items[i].monitor) {
			const char *file = runtime_file(cfg);
			int r = file ? config_add_vm(cfg, b->items[i].vm,
						     (struct config_where){ file, 0 }, &vm)
				     : -ENOMEM;
			if (r < 0)
				return r;
		}
		if (!vm) {
			/* Unbound: a VM only a binding made is gone. */
			if (!b->items[i].has_monitor)
				(*n_missing)++;
			continue;
		}
		int r = control_binding_apply(&b->items[i], cfg, vm);
		if (r < 0)
			return r;
	}
	return 0;
}
