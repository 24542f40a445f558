/* SPDX-License-Identifier: MIT */
#include "daemon/state/dirty.h"

unsigned dirty_scope(const struct dirty_pass *pass, const struct dirty_vm *vm)
{
	unsigned what = vm->takeover_shown ? DIRTY_COLLECT : 0;
	if (pass->full || vm->dirty)
		return what | DIRTY_JUDGE | DIRTY_SOURCES;
	if (pass->connectors_read || (!vm->leased && pass->lease_ended))
		what |= DIRTY_JUDGE;
	if (vm->leased && vm->unsignalled)
		what |= DIRTY_SOURCES;
	return what;
}
