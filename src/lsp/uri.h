/* uri.h — `file:` URIs and absolute paths (uri.c). */
#ifndef STRAT_LSP_URI_H
#define STRAT_LSP_URI_H

#include "arena.h"

/* The absolute path of a file: URI, percent-decoded; NULL for another
 * scheme, a remote authority or an escape that is bad or decodes to NUL. */
const char *uri_to_path(Arena *a, const char *uri);
/* The file: URI of an absolute path, escaped as VS Code escapes it. */
const char *uri_from_path(Arena *a, const char *path);

#endif
