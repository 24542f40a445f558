/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kms/alloc.h"

/*
 * The fd store entry that keeps a lease across restarts (docs/service.md):
 * "lease.VM.LESSEE", followed by ".oID,ID,..." when the lease has overlays:
 * the hardware plane of each vGPU plane 1..N-1, in that order, so that a
 * restart takes the lease back with the grant's plane mapping instead of
 * guessing it again. systemd allows 255 characters and no ':'.
 */
#define LEASE_NAME_MAX 256

struct lease_name {
	const char *vm;          /* into the parsed name; vm_len characters */
	size_t vm_len;
	uint32_t lessee;
	uint32_t overlays[KMS_ALLOC_MAX_PLANES - 1];
	size_t n_overlays;       /* 0: no order recorded (no overlays, or an older daemon) */
};

/* -ENAMETOOLONG when it does not fit. */
int lease_name_format(const char *vm, uint32_t lessee, const struct kms_alloc_result *alloc,
		      char name[LEASE_NAME_MAX]);
/* -EINVAL when name is no lease entry. */
int lease_name_parse(const char *name, struct lease_name *out);
