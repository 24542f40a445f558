/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>

struct udev;

/* A KMS card node as udev sees it. */
struct kms_card_node {
	char *devnode;   /* /dev/dri/card0 */
	char *sysname;   /* card0 */
	char *id_path;   /* udev ID_PATH, NULL when udev has no database entry */
};

/* Every /dev/dri/cardN, sorted by name; 0 cards is not an error. */
int kms_discover_cards(struct udev *udev, struct kms_card_node **out, size_t *n);
void kms_card_nodes_free(struct kms_card_node *nodes, size_t n);
