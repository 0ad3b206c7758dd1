/*
 * json_value.h — the language server's JSON: a reader that turns one
 * message body into a tree of values, and a writer that builds a message
 * body in a growing buffer.  Both live in an arena (arena.h): a message's
 * tree and its reply die with the message.
 *
 * Hand-written rather than taken from a library: LSP needs a small subset
 * (objects, arrays, strings, integers), the reader must bound nesting and
 * reject invalid UTF-8 without crashing on any input, and its memory must
 * come from our arena (jansson's allocator hooks are process-global, which
 * the no-global-state rule forbids).  docs/lsp.md says more.
 */
#ifndef STRAT_LSP_JSON_VALUE_H
#define STRAT_LSP_JSON_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Deeper nesting is refused: LSP messages nest a handful of levels, and
 * the reader recurses once per level. */
enum { JSON_MAX_DEPTH = 64 };

typedef enum JsonKind {
    JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT
} JsonKind;

typedef struct JsonValue JsonValue;

typedef struct JsonMember {
    const char *key;             /* decoded, NUL-terminated */
    size_t key_len;              /* (a key may hold a NUL: compare by length) */
    JsonValue *value;
    struct JsonMember *next;
} JsonMember;

struct JsonValue {
    JsonKind kind;
    JsonValue *next;             /* the next element of the enclosing array */
    union {
        bool boolean;
        struct {
            const char *s;       /* decoded UTF-8, NUL-terminated */
            size_t len;          /* may hold NULs: use the length */
        } str;
        struct {
            const char *text;    /* the number as written (echoed ids) */
            size_t len;
            bool is_int;         /* no fraction or exponent, fits int64 */
            int64_t i;
        } num;
        struct {
            JsonValue *head;     /* JSON_ARRAY: elements, through next */
            JsonMember *members; /* JSON_OBJECT: members in order */
            uint32_t count;
        } list;
    } u;
};

typedef struct JsonError {
    size_t offset;               /* byte of the body where it went wrong */
    const char *msg;
} JsonError;

/* Parses text[0, len) (RFC 8259: one value, UTF-8) in place: strings are
 * decoded over their own escapes, so text is changed.  NULL with *err on
 * malformed input, nesting past JSON_MAX_DEPTH or invalid UTF-8.  The
 * tree lives in a; allocation failure long-jumps as the arena does. */
JsonValue *json_parse(Arena *a, char *text, size_t len, JsonError *err);

/* The member `key` of an object (the last, if repeated), or NULL when v
 * is not an object or has no such member. */
const JsonValue *json_get(const JsonValue *v, const char *key);
/* json_get, then the kind: NULL unless the member has it. */
const JsonValue *json_get_kind(const JsonValue *v, const char *key, JsonKind kind);
/* The string member `key`, or NULL. */
const char *json_get_string(const JsonValue *v, const char *key);
/* The integer member `key` within [min, max] into *out; false otherwise. */
bool json_get_int(const JsonValue *v, const char *key, int64_t min, int64_t max,
                  int64_t *out);
/* Two ids (integers or strings) denote the same request. */
bool json_id_equal(const JsonValue *a, const JsonValue *b);

/* ---- writing ---------------------------------------------------------- */

/* deep enough to write back any tree the reader accepts */
enum { JSON_WRITER_MAX_DEPTH = JSON_MAX_DEPTH + 8 };

typedef struct JsonWriter {
    Arena *arena;
    char *buf;
    size_t len, cap;
    uint32_t depth;
    bool after_key;
    bool has_items[JSON_WRITER_MAX_DEPTH];   /* per open level: a comma next */
} JsonWriter;

void jw_init(JsonWriter *w, Arena *a);
/* Forgets everything written (the buffer is kept). */
void jw_reset(JsonWriter *w);
void jw_object_begin(JsonWriter *w);
void jw_object_end(JsonWriter *w);
void jw_array_begin(JsonWriter *w);
void jw_array_end(JsonWriter *w);
void jw_key(JsonWriter *w, const char *key);
/* Writes s[0, n) as a string; a byte sequence that is not UTF-8 becomes
 * U+FFFD, so the output is always valid JSON text. */
void jw_string(JsonWriter *w, const char *s, size_t n);
void jw_cstring(JsonWriter *w, const char *s);   /* NULL writes null */
void jw_int(JsonWriter *w, int64_t v);
void jw_bool(JsonWriter *w, bool v);
void jw_null(JsonWriter *w);
/* A value already serialised (n bytes of valid JSON). */
void jw_raw(JsonWriter *w, const char *json, size_t n);
/* A parsed value written back (numbers as they were written). */
void jw_value(JsonWriter *w, const JsonValue *v);
/* The text so far, NUL-terminated (valid until the next write). */
const char *jw_text(JsonWriter *w, size_t *len);

/* Bytes of the well-formed UTF-8 sequence at s (RFC 3629), or 0; sets
 * *cp to its code point.  avail bytes may be read. */
int json_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

#endif
