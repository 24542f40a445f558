/* SPDX-License-Identifier: MIT */
#include "daemon/state/state.h"

#include <errno.h>
#include <string.h>

#include "daemon/state/vm.h"

void state_schedule(struct state *s, enum state_reread reread)
{
	if (s->hooks && s->hooks->schedule)
		s->hooks->schedule(s->hooks_data, reread);
}

void state_schedule_vm(struct state *s, struct vm *vm)
{
	vm->dirty = true;
	state_schedule(s, STATE_REREAD_NONE);
}

int state_reload(struct state *s)
{
	return s->hooks && s->hooks->reload ? s->hooks->reload(s->hooks_data) : -EOPNOTSUPP;
}

struct vm *state_vm(const struct state *s, const char *name, size_t *index)
{
	for (size_t i = 0; name && i < s->n_vms; i++) {
		if (strcmp(s->vms[i]->name, name) == 0) {
			if (index)
				*index = i;
			return s->vms[i];
		}
	}
	return NULL;
}
