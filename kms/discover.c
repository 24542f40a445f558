/* SPDX-License-Identifier: MIT */
#include "kms/discover.h"

#include <errno.h>
#include <fnmatch.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

static int cmp_node(const void *a, const void *b)
{
	const struct kms_card_node *x = a, *y = b;
	return strcmp(x->sysname, y->sysname);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int kms_discover_cards(struct udev *udev, struct kms_card_node **out, size_t *n)
{
	int r = -ENOMEM;
	struct kms_card_node *nodes = NULL;
	size_t count = 0, cap = 0;
	struct udev_enumerate *en = udev_enumerate_new(udev);
	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "drm") < 0 ||
	    udev_enumerate_add_match_sysname(en, "card[0-9]*") < 0)
		goto out;
	r = udev_enumerate_scan_devices(en);
	if (r < 0)
		goto out;

	struct udev_list_entry *entry;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en))
	{
		struct udev_device *d =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
		if (!d)
			continue;
		const char *devnode = udev_device_get_devnode(d);
		const char *sysname = udev_device_get_sysname(d);
		/* card0-Virtual-1 is a connector, not a card. */
		if (!devnode || !sysname || fnmatch("card[0-9]*", sysname, 0) != 0 ||
		    strchr(sysname, '-')) {
			udev_device_unref(d);
			continue;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 4;
			struct kms_card_node *grown = realloc(nodes, cap * sizeof(*nodes));
			if (!grown) {
				udev_device_unref(d);
				r = -ENOMEM;
				goto out;
			}
			nodes = grown;
		}
		struct kms_card_node *node = &nodes[count++];
		node->devnode = strdup(devnode);
		node->sysname = strdup(sysname);
		node->id_path = dup_or_null(udev_device_get_property_value(d, "ID_PATH"));
		udev_device_unref(d);
		if (!node->devnode || !node->sysname) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (count > 0)
		qsort(nodes, count, sizeof(*nodes), cmp_node);
	*out = nodes;
	*n = count;
	nodes = NULL;
	count = 0;
	r = 0;
out:
	kms_card_nodes_free(nodes, count);
	udev_enumerate_unref(en);
	return r;
}

void kms_card_nodes_free(struct kms_card_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].devnode);
		free(nodes[i].sysname);
		free(nodes[i].id_path);
	}
	free(nodes);
}
