#pragma once
#include <stdint.h>

/* Where a vGPU plane's framebuffer id comes from (design: "vGPU plane
 * sources"). Only `fb:` exists so far:
 *   fb:NUMBER  a framebuffer id on the daemon's card
 *   fb:PATH    a file holding that id, as the test stand-in publishes it */
struct source;

/* -EINVAL for a malformed spec, -EOPNOTSUPP for a scheme not built yet. */
int source_create(const char *spec, struct source **out);
void source_destroy(struct source *src);
const char *source_spec(const struct source *src);
/* -ENOENT when the source has no frame yet. */
int source_current_fb(struct source *src, uint32_t *fb_id);
