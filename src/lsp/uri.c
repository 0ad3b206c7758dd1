/*
 * uri.c — `file:` URIs (RFC 8089) to absolute paths and back.  Other
 * schemes (an editor's `untitled:` buffer) have no path: their documents
 * are checked on their own, without a directory to import from.
 */
#include "uri.h"

#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *uri_to_path(Arena *a, const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = uri + 7;
    /* an authority: empty, or localhost (RFC 8089 2) */
    if (strncmp(p, "localhost/", 10) == 0)
        p += 9;
    if (*p != '/')
        return NULL;
    size_t n = strcspn(p, "?#");
    char *out = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%') {
            int hi = i + 2 < n ? hex_value(p[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(p[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;   /* a bad escape, or a NUL in a path */
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[k++] = p[i];
        }
    }
    out[k] = '\0';
    return out;
}

const char *uri_from_path(Arena *a, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *out = arena_alloc(a, 7 + 3 * n + 1);
    memcpy(out, "file://", 7);
    size_t k = 7;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        /* RFC 3986 unreserved characters and the path separator */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = '\0';
    return out;
}
