/* SPDX-License-Identifier: MIT */
#include "daemon/state/monitor.h"

#include <string.h>

static bool edid_matches(const struct config_edid_match *m, const struct kms_connector *c)
{
	return c->has_edid && strcmp(m->vendor, c->edid.vendor) == 0 &&
	       m->product == c->edid.product && (!m->has_serial || m->serial == c->edid.serial);
}

bool monitor_matches(const struct config_monitor *mon, const struct kms_connector *c)
{
	if (mon->connector && strcmp(mon->connector, c->name) != 0)
		return false;
	if (mon->edid.set && !edid_matches(&mon->edid, c))
		return false;
	return mon->connector || mon->edid.set;
}

const char *monitor_name_of(const struct config *cfg, const struct kms_connector *c)
{
	for (size_t i = 0; i < cfg->n_monitors; i++)
		if (monitor_matches(&cfg->monitors[i], c))
			return cfg->monitors[i].name;
	return NULL;
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
