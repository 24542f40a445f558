#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Checked number and boolean parsing for config values: the whole string
 * must be the number (decimal, or 0x hex), no sign, within [min, max].
 * -EINVAL when malformed, -ERANGE when out of range. */
int config_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* yes/no, true/false, on/off, 1/0. */
int config_parse_bool(const char *s, bool *out);
