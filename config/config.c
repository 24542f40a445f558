/* SPDX-License-Identifier: MIT */
/* The layout in memory: freeing it and looking sections up by name. */
#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

int config_add_vm(struct config *cfg, const char *name, struct config_where where,
		  struct config_vm **out)
{
	if (cfg->n_vms >= CONFIG_MAX_VMS)
		return -E2BIG;
	char *copy = strdup(name);
	struct config_vm *grown = copy ? realloc(cfg->vms, (cfg->n_vms + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	cfg->vms = grown;
	struct config_vm *vm = &cfg->vms[cfg->n_vms++];
	*vm = (struct config_vm){ .name = copy, .where = where };
	config_vm_init(vm);
	*out = vm;
	return 0;
}

void config_words_free(char **words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

void config_daemon_fini(struct config_daemon *d)
{
	free(d->card);
	free(d->socket_path);
	free(d->socket_group);
}

void config_monitor_fini(struct config_monitor *m)
{
	free(m->name);
	free(m->connector);
}

void config_vm_fini(struct config_vm *vm)
{
	free(vm->name);
	free(vm->monitor);
	free(vm->owner);
	free(vm->input);
	for (size_t k = 0; k < CONFIG_MAX_PLANES; k++)
		free(vm->sources[k]);
}

void config_seat_fini(struct config_seat *s)
{
	free(s->name);
	config_words_free(s->monitors, s->n_monitors);
	config_words_free(s->inputs, s->n_inputs);
	free(s->hotkey_next);
	free(s->hotkey_prev);
	free(s->hotkey_release);
	for (size_t i = 0; i < s->n_focus_keys; i++) {
		free(s->focus_keys[i].vm);
		free(s->focus_keys[i].combo);
	}
	free(s->focus_keys);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	config_daemon_fini(&cfg->daemon);
	for (size_t i = 0; i < cfg->n_monitors; i++)
		config_monitor_fini(&cfg->monitors[i]);
	free(cfg->monitors);
	for (size_t i = 0; i < cfg->n_vms; i++)
		config_vm_fini(&cfg->vms[i]);
	free(cfg->vms);
	for (size_t i = 0; i < cfg->n_seats; i++)
		config_seat_fini(&cfg->seats[i]);
	free(cfg->seats);
	config_words_free(cfg->files, cfg->n_files);
	free(cfg);
}

const struct config_monitor *config_monitor_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_monitors; i++)
		if (strcmp(cfg->monitors[i].name, name) == 0)
			return &cfg->monitors[i];
	return NULL;
}

const struct config_vm *config_vm_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_vms; i++)
		if (strcmp(cfg->vms[i].name, name) == 0)
			return &cfg->vms[i];
	return NULL;
}
