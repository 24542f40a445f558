/* SPDX-License-Identifier: MIT */
/* "Did you mean": the known word nearest to a misspelt one. */
#include "config/suggest.h"

#include <string.h>

#define MAX_DISTANCE 2
/* Longer words are not typos of our short key names; this also bounds the table. */
#define MAX_WORD 64

/* Edit distance with one rolling row; both lengths are at most MAX_WORD. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[MAX_WORD + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *config_suggest(const char *word, const char *const *known, size_t n)
{
	size_t lw = strlen(word);
	if (lw > MAX_WORD)
		return NULL;
	const char *best = NULL;
	size_t best_d = MAX_DISTANCE + 1;
	for (size_t i = 0; i < n; i++) {
		size_t lk = strlen(known[i]);
		if (lk > MAX_WORD || (lk > lw ? lk - lw : lw - lk) > MAX_DISTANCE)
			continue;
		size_t d = distance(word, lw, known[i], lk);
		/* Replacing every letter of a short word is no typo ("x" -> "vm"). */
		if (d < best_d && d < lw) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}
