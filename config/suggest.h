/* SPDX-License-Identifier: MIT */
#pragma once
#include <stddef.h>

/* The word of `known` (n words) nearest to `word` when it is a likely typo:
 * at most 2 edits away (Levenshtein). NULL when none is. */
const char *config_suggest(const char *word, const char *const *known, size_t n);
