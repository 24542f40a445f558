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

static const struct test_case cases[] = {
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
