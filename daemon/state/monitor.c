/* SPDX-License-Identifier: MIT */
#include "daemon/state/monitor.h"

#include <string.h>

static bool edid_matches(const struct config_edid_match *m, const struct kms_connector *c)
{
	return c->has_edid && strcmp(m->vendor, c->edid.vendor) == 0 &&
	       m->product == c->edid.product && (!m->has_serial || m->serial == c->edid.serial);
}

const struct kms_connector *monitor_find_connector(const struct kms_snapshot *snap,
						   const struct config_monitor *mon)
{
	const struct kms_connector *found = NULL;
	for (size_t i = 0; i < snap->n_connectors; i++) {
		const struct kms_connector *c = &snap->connectors[i];
		if (mon->connector && strcmp(mon->connector, c->name) != 0)
			continue;
		if (mon->edid.set && !edid_matches(&mon->edid, c))
			continue;
		if (c->connection == KMS_CONNECTED)
			return c;
		if (!found)
			found = c;
	}
	return found;
}
