/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>

#include "config/config.h"
#include "kms/snapshot.h"

/* The connector a [monitor.NAME] entry names: by connector name, by EDID
 * identity, or both. A connected match wins over a disconnected one, so a
 * monitor bound by edid= is found on whichever port it is plugged into.
 * NULL when nothing matches. Pure. */
const struct kms_connector *monitor_find_connector(const struct kms_snapshot *snap,
						   const struct config_monitor *mon);
/* Whether c is what mon names (its connector name, its EDID identity, or
 * both); false for an entry that names neither. */
bool monitor_matches(const struct config_monitor *mon, const struct kms_connector *c);
/* The layout's name for connector c, if it has one. */
const char *monitor_name_of(const struct config *cfg, const struct kms_connector *c);
