/* SPDX-License-Identifier: MIT */
#include "check.h"
#include "daemon/state/monitor.h"

/* Fixture: four ports; two Dell U2415s with serials 1 and 2, one LG. */
static struct kms_connector conns[4];
static struct kms_snapshot snap = { .connectors = conns, .n_connectors = 4 };

static void port(size_t i, const char *name, enum kms_connection st, const char *vendor,
		 uint16_t product, uint32_t serial)
{
	memset(&conns[i], 0, sizeof(conns[i]));
	conns[i].id = (uint32_t)(100 + i);
	snprintf(conns[i].name, sizeof(conns[i].name), "%s", name);
	conns[i].connection = st;
	if (vendor) {
		conns[i].has_edid = true;
		memcpy(conns[i].edid.vendor, vendor, 4);
		conns[i].edid.product = product;
		conns[i].edid.serial = serial;
	}
}

static void desk(void)
{
	port(0, "HDMI-A-1", KMS_DISCONNECTED, NULL, 0, 0);
	port(1, "DP-1", KMS_CONNECTED, "GSM", 0x5b7f, 77);
	port(2, "DP-2", KMS_CONNECTED, "DEL", 0xa0c4, 1);
	port(3, "DP-3", KMS_CONNECTED, "DEL", 0xa0c4, 2);
}

static struct config_monitor by_edid(const char *vendor, uint16_t product, bool has_serial,
				     uint32_t serial)
{
	struct config_monitor m = { .name = (char *)"m" };
	m.edid.set = true;
	memcpy(m.edid.vendor, vendor, 4);
	m.edid.product = product;
	m.edid.has_serial = has_serial;
	m.edid.serial = serial;
	return m;
}

static void by_connector_name(void)
{
	desk();
	struct config_monitor m = { .name = (char *)"m", .connector = (char *)"DP-1" };
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "DP-1");
	m.connector = (char *)"HDMI-A-1"; /* found even when disconnected: the caller decides */
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "HDMI-A-1");
	m.connector = (char *)"DP-9";
	CHECK(monitor_find_connector(&snap, &m) == NULL);
}

static void edid_follows_the_monitor_between_ports(void)
{
	desk();
	struct config_monitor m = by_edid("DEL", 0xa0c4, true, 2);
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "DP-3");
	/* Unplugged from DP-3, plugged into HDMI-A-1. */
	port(3, "DP-3", KMS_DISCONNECTED, NULL, 0, 0);
	port(0, "HDMI-A-1", KMS_CONNECTED, "DEL", 0xa0c4, 2);
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "HDMI-A-1");
}

static void serial_tells_twins_apart(void)
{
	desk();
	struct config_monitor one = by_edid("DEL", 0xa0c4, true, 1);
	struct config_monitor two = by_edid("DEL", 0xa0c4, true, 2);
	CHECK_EQ_STR(monitor_find_connector(&snap, &one)->name, "DP-2");
	CHECK_EQ_STR(monitor_find_connector(&snap, &two)->name, "DP-3");
	struct config_monitor three = by_edid("DEL", 0xa0c4, true, 3);
	CHECK(monitor_find_connector(&snap, &three) == NULL);
	/* Without a serial, the first connected Dell matches. */
	struct config_monitor any = by_edid("DEL", 0xa0c4, false, 0);
	CHECK_EQ_STR(monitor_find_connector(&snap, &any)->name, "DP-2");
}

static void connected_match_wins_over_stale_one(void)
{
	desk();
	/* A driver that keeps the EDID of an unplugged monitor on its port. */
	port(0, "HDMI-A-1", KMS_DISCONNECTED, "GSM", 0x5b7f, 77);
	port(1, "DP-1", KMS_CONNECTED, "GSM", 0x5b7f, 77);
	struct config_monitor m = by_edid("GSM", 0x5b7f, true, 77);
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "DP-1");
}

static void name_and_edid_must_both_match(void)
{
	desk();
	struct config_monitor m = by_edid("DEL", 0xa0c4, true, 1);
	m.connector = (char *)"DP-3";
	CHECK(monitor_find_connector(&snap, &m) == NULL);
	m.connector = (char *)"DP-2";
	CHECK_EQ_STR(monitor_find_connector(&snap, &m)->name, "DP-2");
}

static const struct test_case cases[] = {
	{ "by_connector_name", by_connector_name },
	{ "edid_follows_the_monitor_between_ports", edid_follows_the_monitor_between_ports },
	{ "serial_tells_twins_apart", serial_tells_twins_apart },
	{ "connected_match_wins_over_stale_one", connected_match_wins_over_stale_one },
	{ "name_and_edid_must_both_match", name_and_edid_must_both_match },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
