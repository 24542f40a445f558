/* SPDX-License-Identifier: MIT */
#include "daemon/session/card.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "daemon/log.h"
#include "daemon/session/session.h"
#include "kms/discover.h"

static const struct kms_card_node *pick(const struct kms_card_node *nodes, size_t n,
					const char *spec)
{
	for (size_t i = 0; i < n; i++) {
		if (!spec)
			return &nodes[i];
		if (strcmp(nodes[i].devnode, spec) == 0 ||
		    (nodes[i].id_path && strcmp(nodes[i].id_path, spec) == 0))
			return &nodes[i];
	}
	return NULL;
}

/* Caps, master and the first snapshot, on card->fd. */
static int card_setup(struct card *card)
{
	int r;
	r = kms_device_create(card->fd, card->path, &card->kms);
	if (r == -EOPNOTSUPP) {
		log_error("%s: the card has no atomic modesetting; directflip needs atomic KMS",
			  card->path);
		return r;
	} else if (r < 0) {
		log_errno(r, "%s: cannot set up the card", card->path);
		return r;
	}
	/* Leasing needs master. The seat normally hands it over; a noop
	 * seat relies on the first-opener rule, so ask explicitly. */
	if (!drmIsMaster(card->fd) && drmSetMaster(card->fd) != 0) {
		r = -errno;
		log_errno(r, "%s: cannot become DRM master (another process holds it)", card->path);
		return r;
	}
	r = card_refresh(card);
	if (r < 0) {
		log_errno(r, "%s: cannot read KMS resources", card->path);
		return r;
	}
	return 0;
}

int card_open(struct session *session, struct udev *udev, const char *spec, struct card **out)
{
	struct kms_card_node *nodes = NULL;
	size_t n = 0;
	int r = kms_discover_cards(udev, &nodes, &n);
	if (r < 0)
		return log_errno(r, "cannot enumerate DRM cards");
	const struct kms_card_node *node = pick(nodes, n, spec);
	if (!node) {
		/* Not an error: the caller waits for one through udev. */
		kms_card_nodes_free(nodes, n);
		return -ENODEV;
	}

	struct card *card = calloc(1, sizeof(*card));
	if (!card) {
		kms_card_nodes_free(nodes, n);
		return -ENOMEM;
	}
	card->session = session;
	card->fd = -1;
	card->device_id = -1;
	card->path = strdup(node->devnode);
	card->id_path = node->id_path ? strdup(node->id_path) : NULL;
	kms_card_nodes_free(nodes, n);
	if (!card->path) {
		r = -ENOMEM;
		goto fail;
	}

	r = session_open_device(session, card->path, &card->fd, &card->device_id);
	if (r < 0) {
		log_errno(r, "%s: cannot open through the seat", card->path);
		goto fail;
	}
	r = card_setup(card);
	if (r < 0)
		goto fail;
	*out = card;
	return 0;
fail:
	card_close(card);
	return r;
}

int card_adopt(int fd, struct card **out)
{
	struct card *card = calloc(1, sizeof(*card));
	if (!card)
		return -ENOMEM;
	card->fd = fd;
	card->device_id = -1;
	/* By the device's minor: the file was opened in the previous
	 * process's mount namespace (the unit's private /dev), where
	 * /proc/self/fd reads "/dri/card0". */
	char *name = drmGetDeviceNameFromFd2(fd);
	card->path = name ? name : strdup("(stored card)");
	int r = card->path ? card_setup(card) : -ENOMEM;
	if (r < 0) {
		card_close(card);
		return r;
	}
	*out = card;
	return 0;
}

static bool on_a_plane(int fd, uint32_t fb)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	bool shown = false;
	for (uint32_t i = 0; pr && i < pr->count_planes && !shown; i++) {
		drmModePlane *p = drmModeGetPlane(fd, pr->planes[i]);
		shown = p && p->fb_id == fb;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	return shown;
}

int card_drop_stale_fbs(struct card *card)
{
	/* GETRESOURCES lists the framebuffers of the calling file only: on an
	 * adopted card file, those the previous process made. */
	drmModeRes *res = drmModeGetResources(card->fd);
	if (!res)
		return -errno;
	int n = 0;
	for (int i = 0; i < res->count_fbs; i++) {
		uint32_t fb = res->fbs[i];
		if (card->n_stale_fbs < CARD_MAX_STALE_FBS && on_a_plane(card->fd, fb))
			card->stale_fbs[card->n_stale_fbs++] = fb;
		else if (drmModeRmFB(card->fd, fb) == 0)
			n++;
	}
	drmModeFreeResources(res);
	return n;
}

int card_drop_stale_shown(struct card *card)
{
	int n = 0;
	for (size_t i = 0; i < card->n_stale_fbs; i++)
		n += drmModeRmFB(card->fd, card->stale_fbs[i]) == 0;
	card->n_stale_fbs = 0;
	return n;
}

void card_close(struct card *card)
{
	if (!card)
		return;
	kms_props_destroy(card->props);
	kms_snapshot_free(card->snap);
	kms_prop_names_destroy(card->prop_names);
	kms_device_destroy(card->kms);
	/* libseat hands the fd over: closing the device does not close it. */
	if (card->device_id >= 0)
		session_close_device(card->session, card->device_id);
	if (card->fd >= 0)
		close(card->fd);
	free(card->path);
	free(card->id_path);
	free(card);
}

int card_refresh(struct card *card)
{
	struct kms_snapshot *snap = NULL;
	struct kms_props *props = NULL;
	if (!card->prop_names && !(card->prop_names = kms_prop_names_create()))
		return -ENOMEM;
	int r = kms_snapshot_read_with(card->fd, card->prop_names, &snap);
	if (r < 0)
		return r;
	if (kms_props_covers(card->props, snap)) {
		kms_snapshot_free(card->snap);
		card->snap = snap;
		return 0;
	}
	r = kms_props_create(card->fd, snap, &props);
	if (r < 0) {
		kms_snapshot_free(snap);
		return r;
	}
	kms_snapshot_free(card->snap);
	kms_props_destroy(card->props);
	card->snap = snap;
	card->props = props;
	return 0;
}

int card_refresh_connectors(struct card *card, const uint32_t *only, size_t n_only)
{
	if (!card->snap || !card->prop_names)
		return card_refresh(card);
	int r = kms_snapshot_reread_connectors(card->fd, card->prop_names, card->snap, only, n_only);
	return r == -ESTALE ? card_refresh(card) : r;
}
