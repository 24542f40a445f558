/* SPDX-License-Identifier: MIT */
#pragma once
#include "config/config.h"

/* Checks that need the whole layout (references between sections, claims
 * on monitors, missing keys), after every file is read; appends every
 * problem to diags. */
void config_validate(const struct config *cfg, struct config_diags *diags);
