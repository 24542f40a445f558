#pragma once
#include <stdbool.h>

#include "config/config.h"

/* Checks that need the whole layout (references, claims on monitors);
 * appends to diags, all at once. */
void config_validate(const struct config *cfg, struct config_diags *diags);
/* "ctrl+alt+right": modifiers and one key, each a known name. */
bool config_hotkey_valid(const char *combo);
