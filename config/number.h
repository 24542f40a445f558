/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Checked parsing of numbers and booleans in config values (never atoi):
 * the whole string is the number, with no sign, space or octal surprise.
 * -EINVAL when malformed, -ERANGE when outside [min, max]; *out is set
 * only on success. */

/* Decimal, or hex with a 0x prefix ("41156", "0xa0c4"). */
int config_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* Decimal only: counts, indexes and ids where hex would only confuse. */
int config_parse_u32_dec(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* yes/no, true/false, on/off, 1/0 (any case). */
int config_parse_bool(const char *s, bool *out);
