#pragma once

struct daemon;
struct vm;

/* Desired state (config) against actual state (card, lessees): grant,
 * revoke, modeset and map until they agree. Idempotent; a binding that
 * cannot be met is recorded in its vm and leaves the others alone. */
int reconcile(struct daemon *d);
/* Revokes vm's lease and blanks what it had: revoke alone leaves the
 * lessee's last frame on screen. */
void reconcile_release(struct daemon *d, struct vm *vm, const char *why);
/* The card went away with its leases: forget them without kernel calls. */
void reconcile_card_lost(struct daemon *d);
