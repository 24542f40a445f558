/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdint.h>

#include "kms/device.h"
#include "kms/props.h"
#include "kms/snapshot.h"

struct session;
struct udev;

#define CARD_MAX_STALE_FBS 64

/* The KMS card the daemon drives: a libseat device fd, with its snapshot
 * and property tables kept current by card_refresh. */
struct card {
	struct session *session;
	int fd;
	int device_id;           /* -1 when adopted: we own fd, not libseat */
	char *path;
	char *id_path;
	struct kms_device *kms;
	struct kms_snapshot *snap;
	struct kms_props *props;
	struct kms_prop_names *prop_names;
	/* Framebuffers an adopted file held that were on screen: removed
	 * after the first reconcile has put new ones there. */
	uint32_t stale_fbs[CARD_MAX_STALE_FBS];
	size_t n_stale_fbs;
};

/* spec: an ID_PATH, a /dev/dri path, or NULL for the first card. -ENODEV,
 * silently, when there is no such card (the caller waits for one); other
 * failures log the reason: this is the daemon layer. */
int card_open(struct session *session, struct udev *udev, const char *spec, struct card **out);
/* Takes over fd, a card file kept for us (the fd store) across a restart:
 * it is still DRM master and still the lessor of its leases. */
int card_adopt(int fd, struct card **out);
/* The framebuffers an adopted card file still holds (the previous
 * process's imports of client or vfio dma-bufs, takeover frames) have no
 * owner after a restart: each restart leaked them. Removes those on no
 * plane now (the number, or -errno) and keeps the ones on screen for
 * card_drop_stale_shown, after the first reconcile, so that nothing
 * flickers. */
int card_drop_stale_fbs(struct card *card);
int card_drop_stale_shown(struct card *card);
void card_close(struct card *card);
/* Re-reads connectors, CRTCs and planes (hotplug, leases going away). */
int card_refresh(struct card *card);
/* After a connector hotplug: the connectors in only[n_only] (all when only
 * is NULL), or everything when the set of connectors changed. */
int card_refresh_connectors(struct card *card, const uint32_t *only, size_t n_only);
