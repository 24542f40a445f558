/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

struct config_monitor;
struct kms_connector;
struct service_fds;
struct state;
struct vm;

/* Leases conn (shown as mon) to vm: allocates its CRTC and planes, creates
 * the lease, sets the mode and maps the planes. A failure is the vm's
 * error (vm_fail); nothing else changes. */
void lease_grant(struct state *d, struct vm *vm, const struct config_monitor *mon,
		 const struct kms_connector *conn);
/* Revokes vm's lease and blanks what it had: revoke alone leaves the
 * lessee's last frame on screen. */
void lease_release(struct state *d, struct vm *vm, const char *why);
/* The kernel no longer lists vm's lessee (it ended without us): forget it. */
void lease_lost(struct state *d, struct vm *vm);
/* The card went away with its leases: forget them without kernel calls. */
void lease_card_lost(struct state *d);
/* After a restart: takes back the lessee fds kept in the fd store, keeps
 * the leases that still match the layout and revokes the others. */
void lease_adopt(struct state *d, struct service_fds *stored);
/* Exit without revoking: the fd store keeps every lease alive. */
void lease_handover(struct state *d);
/* After the seat comes back: while it was away another DRM master (the
 * console) may have set its own modes, so every lease is committed again. */
void lease_restore(struct state *d);
/* The lease fd in the fd store (docs/service.md), under lease-name.h's name. */
void lease_store_fd(struct vm *vm);
void lease_forget_fd(const struct vm *vm);
