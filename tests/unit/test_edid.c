/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "kms/edid.h"

static void fix_checksum(uint8_t *b)
{
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++)
		sum = (uint8_t)(sum + b[i]);
	b[127] = (uint8_t)(0x100 - sum);
}

static void put_text(uint8_t *desc, uint8_t tag, const char *text)
{
	memset(desc, 0, 18);
	desc[3] = tag;
	size_t n = strlen(text);
	memset(desc + 5, ' ', 13);
	memcpy(desc + 5, text, n);
	if (n < 13)
		desc[5 + n] = 0x0a;
}

/* A base block as a monitor maker writes it: vendor, product, serial, name. */
static void make_edid(uint8_t b[128], const char vendor[3], uint16_t product, uint32_t serial,
		      const char *name, const char *serial_str)
{
	static const uint8_t hdr[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	memset(b, 0, 128);
	memcpy(b, hdr, 8);
	uint16_t pnp = (uint16_t)(((vendor[0] - 'A' + 1) << 10) | ((vendor[1] - 'A' + 1) << 5) |
				  (vendor[2] - 'A' + 1));
	b[8] = (uint8_t)(pnp >> 8);
	b[9] = (uint8_t)pnp;
	b[10] = (uint8_t)product;
	b[11] = (uint8_t)(product >> 8);
	for (int i = 0; i < 4; i++)
		b[12 + i] = (uint8_t)(serial >> (8 * i));
	b[18] = 1;
	b[19] = 4;
	b[54] = 0x01; /* a detailed timing: pixel clock != 0, must be skipped */
	b[55] = 0x1d;
	if (name)
		put_text(b + 72, 0xfc, name);
	if (serial_str)
		put_text(b + 90, 0xff, serial_str);
	fix_checksum(b);
}

static void parses_identity(void)
{
	uint8_t b[128];
	make_edid(b, "DEL", 0xa0c4, 0x4c4d3153, "DELL U2415", "7MT0167B0YAL");
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(b, sizeof(b), &id), 0);
	CHECK_EQ_STR(id.vendor, "DEL");
	CHECK_EQ_INT(id.product, 0xa0c4);
	CHECK_EQ_INT(id.serial, 0x4c4d3153);
	CHECK_EQ_STR(id.name, "DELL U2415");
	CHECK_EQ_STR(id.serial_str, "7MT0167B0YAL");
}

static void full_length_name_has_no_terminator(void)
{
	uint8_t b[128];
	make_edid(b, "GSM", 0x5b7f, 0, "LG ULTRAFINE1", NULL);
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(b, sizeof(b), &id), 0);
	CHECK_EQ_STR(id.name, "LG ULTRAFINE1");
	CHECK_EQ_STR(id.serial_str, "");
}

static void truncated(void)
{
	uint8_t b[128];
	make_edid(b, "RHT", 0x1234, 0, "QEMU Monitor", NULL);
	struct kms_edid_id id = { .product = 77 };
	CHECK_EQ_INT(kms_edid_parse(b, 127, &id), -EINVAL);
	CHECK_EQ_INT(kms_edid_parse(b, 0, &id), -EINVAL);
	CHECK_EQ_INT(kms_edid_parse(NULL, 128, &id), -EINVAL);
	CHECK_EQ_INT(id.product, 77);
}

static void bad_checksum(void)
{
	uint8_t b[128];
	make_edid(b, "RHT", 0x1234, 0, "QEMU Monitor", NULL);
	b[20] ^= 0x10;
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(b, sizeof(b), &id), -EBADMSG);
}

static void bad_header(void)
{
	uint8_t b[128];
	make_edid(b, "RHT", 0x1234, 0, NULL, NULL);
	b[0] = 0x01;
	fix_checksum(b);
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(b, sizeof(b), &id), -EINVAL);
}

static void extension_blocks_are_allowed(void)
{
	uint8_t b[256] = { 0 };
	make_edid(b, "SAM", 0x0f35, 1, "SAMSUNG", NULL);
	b[126] = 1;
	fix_checksum(b);
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(b, sizeof(b), &id), 0);
	CHECK_EQ_STR(id.vendor, "SAM");
}

/* Read from /sys/class/drm/card0-Virtual-1/edid in the test VM (QEMU 7.2
 * virtio-gpu, 1280x800 head): a base block and one CTA extension. */
static const uint8_t qemu_edid[256] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x49, 0x14, 0x34, 0x12,
	0x00, 0x00, 0x00, 0x00, 0x2a, 0x18, 0x01, 0x04, 0xa5, 0x20, 0x14, 0x78,
	0x06, 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54, 0x21,
	0x08, 0x00, 0xe1, 0xc0, 0xd1, 0xc0, 0xd1, 0x00, 0xa9, 0x40, 0xb3, 0x00,
	0x95, 0x00, 0x81, 0x80, 0x81, 0x40, 0xea, 0x29, 0x00, 0xc0, 0x51, 0x20,
	0x1c, 0x30, 0x40, 0x26, 0x44, 0x40, 0x45, 0xcb, 0x10, 0x00, 0x00, 0x18,
	0x00, 0x00, 0x00, 0xf7, 0x00, 0x0a, 0x00, 0x40, 0x82, 0x00, 0x28, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x00, 0x32,
	0x7d, 0x1e, 0xa0, 0xff, 0x01, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	0x00, 0x00, 0x00, 0xfc, 0x00, 0x51, 0x45, 0x4d, 0x55, 0x20, 0x4d, 0x6f,
	0x6e, 0x69, 0x74, 0x6f, 0x72, 0x0a, 0x01, 0x3a, 0x02, 0x03, 0x0b, 0x00,
	0x46, 0x7d, 0x65, 0x60, 0x59, 0x1f, 0x61, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x2f,
};

static void qemu_generated(void)
{
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(qemu_edid, sizeof(qemu_edid), &id), 0);
	CHECK_EQ_STR(id.vendor, "RHT");
	CHECK_EQ_INT(id.product, 0x1234);
	CHECK_EQ_INT(id.serial, 0);
	CHECK_EQ_STR(id.name, "QEMU Monitor");
}

static void qemu_truncated_and_corrupted(void)
{
	struct kms_edid_id id;
	CHECK_EQ_INT(kms_edid_parse(qemu_edid, 100, &id), -EINVAL);
	uint8_t copy[256];
	memcpy(copy, qemu_edid, sizeof(copy));
	copy[0x36] ^= 0x01; /* one bit in the first detailed timing */
	CHECK_EQ_INT(kms_edid_parse(copy, sizeof(copy), &id), -EBADMSG);
}

static const struct test_case cases[] = {
	{ "qemu_generated", qemu_generated },
	{ "qemu_truncated_and_corrupted", qemu_truncated_and_corrupted },
	{ "parses_identity", parses_identity },
	{ "full_length_name_has_no_terminator", full_length_name_has_no_terminator },
	{ "truncated", truncated },
	{ "bad_checksum", bad_checksum },
	{ "bad_header", bad_header },
	{ "extension_blocks_are_allowed", extension_blocks_are_allowed },
};

int main(int argc, char **argv)
{
	return RUN_TESTS(cases, argc, argv);
}
