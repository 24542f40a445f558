/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * The VM's lease from directflipd (include/directflip/client.h): get-lease
 * at start and after each lease-granted, nothing after lease-revoked, and
 * after the daemon restarts (its socket comes back) get-lease again: the
 * same lessee (kept in systemd's fd store) keeps the fd the bridge holds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "kms/scale.h"

struct lease;

struct lease_info {
	int fd;                  /* in a grant: the lease fd, the receiver's to close */
	uint32_t lessee, crtc, primary, cursor, mode_w, mode_h;
	enum kms_scaling scaling;
	bool black_on_exit;      /* on-vm-exit = black */
};

/* info NULL: the lease was revoked (or the VM lost it). */
typedef void (*lease_fn)(void *data, const struct lease_info *info);

/* Connects and asks for the lease. Errors, with why in err:
 * -ECONNREFUSED no daemon, -ENODEV no such VM, -EPERM not the
 * VM's owner. No lease now is not an error: fn runs once it is granted. */
int lease_new(sd_event *ev, const char *socket, const char *vm, lease_fn fn, void *data,
	      struct lease **out, char *err, size_t n);
struct lease *lease_free(struct lease *l);
/* The lease now (its fd is -1: the receiver of the grant holds it), or NULL. */
const struct lease_info *lease_current(const struct lease *l);
