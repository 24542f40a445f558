#include "check.h"
#include "kms/snapshot.h"

static struct kms_mode one_mode;

static struct kms_connector connected(uint32_t edid_blob)
{
	return (struct kms_connector){ .id = 40, .connection = KMS_CONNECTED, .modes = &one_mode,
				       .n_modes = 1, .edid_blob_id = edid_blob };
}

static void unchanged_is_not_probed(void)
{
	struct kms_connector a = connected(7), b = connected(7);
	CHECK(!kms_connector_needs_probe(&a, &b));
	struct kms_connector off = { .id = 41, .connection = KMS_DISCONNECTED };
	CHECK(!kms_connector_needs_probe(&off, &off));
}

static void plug_and_unplug_are_probed(void)
{
	struct kms_connector on = connected(7);
	struct kms_connector off = { .id = 40, .connection = KMS_DISCONNECTED };
	CHECK(kms_connector_needs_probe(&off, &on));
	CHECK(kms_connector_needs_probe(&on, &off));
}

static void new_edid_is_probed(void)
{
	/* The same port with another monitor: the modes must be listed anew. */
	struct kms_connector a = connected(7), b = connected(9);
	CHECK(kms_connector_needs_probe(&a, &b));
	struct kms_connector none = connected(0);
	CHECK(kms_connector_needs_probe(&a, &none));
}

static void connected_without_modes_is_probed(void)
{
	struct kms_connector a = connected(7), b = connected(7);
	b.modes = NULL;
	b.n_modes = 0;
	CHECK(kms_connector_needs_probe(&a, &b));
}

static const struct test_case cases[] = {
	{ "unchanged_is_not_probed", unchanged_is_not_probed },
	{ "plug_and_unplug_are_probed", plug_and_unplug_are_probed },
	{ "new_edid_is_probed", new_edid_is_probed },
	{ "connected_without_modes_is_probed", connected_without_modes_is_probed },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
