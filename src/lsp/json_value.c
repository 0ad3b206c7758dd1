/*
 * json_value.c — the JSON reader and writer of the language server (see
 * json_value.h).  The reader is recursive descent over one message body,
 * decoding strings in place; the writer appends to a buffer grown in the
 * arena, keeping track of commas per nesting level.
 */
#include "json_value.h"

#include <stdio.h>
#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------ */

int json_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
    if (avail == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF)
        k = 1, v = c & 0x1F;
    else if (c == 0xE0)
        k = 2, v = c & 0x0F, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEF)
        k = 2, v = c & 0x0F, hi = c == 0xED ? 0x9F : 0xBF;   /* no surrogates */
    else if (c == 0xF0)
        k = 3, v = c & 0x07, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        k = 3, v = c & 0x07;
    else if (c == 0xF4)
        k = 3, v = c & 0x07, hi = 0x8F;
    else
        return 0;
    if (k >= avail || s[1] < lo || s[1] > hi)
        return 0;
    v = (v << 6) | (s[1] & 0x3F);
    for (size_t j = 2; j <= k; j++) {
        if ((s[j] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[j] & 0x3F);
    }
    *cp = v;
    return (int)k + 1;
}

static size_t utf8_encode(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct Parser {
    Arena *arena;
    char *text;
    size_t len, pos;
    JsonError *err;
} Parser;

static JsonValue *fail(Parser *p, const char *msg)
{
    if (!p->err->msg) {
        p->err->msg = msg;
        p->err->offset = p->pos;
    }
    return NULL;
}

static void skip_space(Parser *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static bool literal(Parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* A string at p->pos (its opening quote), decoded in place: every escape
 * is at least as long as what it decodes to, so the write position never
 * passes the read position.  A lone surrogate escape (valid JSON, not
 * valid Unicode) becomes U+FFFD. */
static bool parse_string(Parser *p, const char **out, size_t *out_len)
{
    size_t r = ++p->pos, w = r;
    char *t = p->text;
    for (;;) {
        if (r >= p->len) {
            p->pos = r;
            fail(p, "unterminated string");
            return false;
        }
        unsigned char c = (unsigned char)t[r];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            /* a run of plain ASCII at once (a document's text is mostly that) */
            size_t end = r + 1;
            while (end < p->len && (unsigned char)t[end] >= 0x20 &&
                   (unsigned char)t[end] < 0x80 && t[end] != '"' && t[end] != '\\')
                end++;
            if (w != r)
                memmove(t + w, t + r, end - r);
            w += end - r;
            r = end;
            continue;
        }
        if (c == '"') {
            t[w] = '\0';             /* w <= r: the quote was read already */
            *out = t + p->pos;
            *out_len = w - p->pos;
            p->pos = r + 1;
            return true;
        }
        if (c < 0x20) {
            p->pos = r;
            fail(p, "control character in a string");
            return false;
        }
        if (c == '\\') {
            if (r + 1 >= p->len) {
                p->pos = r;
                fail(p, "unterminated string");
                return false;
            }
            char e = t[r + 1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e != '\0' && simple) {
                static const char decoded[] = "\"\\/\b\f\n\r\t";
                t[w++] = decoded[simple - "\"\\/bfnrt"];
                r += 2;
                continue;
            }
            if (e != 'u' || p->len - r < 6 || hex4(t + r + 2) < 0) {
                p->pos = r;
                fail(p, "invalid escape in a string");
                return false;
            }
            uint32_t cp = (uint32_t)hex4(t + r + 2);
            r += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && p->len - r >= 6 && t[r] == '\\' &&
                t[r + 1] == 'u') {
                int lo = hex4(t + r + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    r += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            w += utf8_encode(t + w, cp);
            continue;
        }
        uint32_t cp;
        int k = json_utf8_decode((const unsigned char *)t + r, p->len - r, &cp);
        if (k == 0) {
            p->pos = r;
            fail(p, "invalid UTF-8 in a string");
            return false;
        }
        memmove(t + w, t + r, (size_t)k);
        w += (size_t)k;
        r += (size_t)k;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static JsonValue *parse_number(Parser *p, JsonValue *v)
{
    size_t start = p->pos;
    const char *t = p->text;
    bool neg = false, is_int = true;
    if (p->pos < p->len && t[p->pos] == '-') {
        neg = true;
        p->pos++;
    }
    if (p->pos >= p->len || !is_digit(t[p->pos]))
        return fail(p, "invalid number");
    /* the magnitude, as a negative number so INT64_MIN fits */
    int64_t acc = 0;
    if (t[p->pos] == '0') {
        p->pos++;
    } else {
        while (p->pos < p->len && is_digit(t[p->pos])) {
            int d = t[p->pos++] - '0';
            if (acc < (INT64_MIN + d) / 10)
                is_int = false;
            else
                acc = acc * 10 - d;
        }
    }
    if (p->pos < p->len && t[p->pos] == '.') {
        p->pos++;
        is_int = false;
        if (p->pos >= p->len || !is_digit(t[p->pos]))
            return fail(p, "invalid number");
        while (p->pos < p->len && is_digit(t[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (t[p->pos] == 'e' || t[p->pos] == 'E')) {
        p->pos++;
        is_int = false;
        if (p->pos < p->len && (t[p->pos] == '+' || t[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len || !is_digit(t[p->pos]))
            return fail(p, "invalid number");
        while (p->pos < p->len && is_digit(t[p->pos]))
            p->pos++;
    }
    if (is_int && !neg && acc == INT64_MIN)
        is_int = false;
    v->kind = JSON_NUMBER;
    v->u.num.text = t + start;
    v->u.num.len = p->pos - start;
    v->u.num.is_int = is_int;
    v->u.num.i = is_int ? (neg ? acc : -acc) : 0;
    return v;
}

static JsonValue *parse_value(Parser *p, unsigned depth);

static JsonValue *parse_array(Parser *p, JsonValue *v, unsigned depth)
{
    v->kind = JSON_ARRAY;
    p->pos++;
    JsonValue **tail = &v->u.list.head;
    skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == ']') {
        p->pos++;
        return v;
    }
    for (;;) {
        JsonValue *item = parse_value(p, depth + 1);
        if (!item)
            return NULL;
        *tail = item;
        tail = &item->next;
        v->u.list.count++;
        skip_space(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated array");
        char c = p->text[p->pos++];
        if (c == ']')
            return v;
        if (c != ',') {
            p->pos--;
            return fail(p, "expected `,` or `]` in an array");
        }
    }
}

static JsonValue *parse_object(Parser *p, JsonValue *v, unsigned depth)
{
    v->kind = JSON_OBJECT;
    p->pos++;
    JsonMember **tail = &v->u.list.members;
    skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == '}') {
        p->pos++;
        return v;
    }
    for (;;) {
        skip_space(p);
        if (p->pos >= p->len || p->text[p->pos] != '"')
            return fail(p, "expected a string key in an object");
        JsonMember *m = ARENA_NEW(p->arena, JsonMember);
        if (!parse_string(p, &m->key, &m->key_len))
            return NULL;
        skip_space(p);
        if (p->pos >= p->len || p->text[p->pos] != ':')
            return fail(p, "expected `:` after an object key");
        p->pos++;
        m->value = parse_value(p, depth + 1);
        if (!m->value)
            return NULL;
        *tail = m;
        tail = &m->next;
        v->u.list.count++;
        skip_space(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated object");
        char c = p->text[p->pos++];
        if (c == '}')
            return v;
        if (c != ',') {
            p->pos--;
            return fail(p, "expected `,` or `}` in an object");
        }
    }
}

static JsonValue *parse_value(Parser *p, unsigned depth)
{
    skip_space(p);
    if (p->pos >= p->len)
        return fail(p, "expected a value");
    if (depth >= JSON_MAX_DEPTH)
        return fail(p, "nested too deep");
    JsonValue *v = ARENA_NEW(p->arena, JsonValue);
    char c = p->text[p->pos];
    switch (c) {
    case '{':
        return parse_object(p, v, depth);
    case '[':
        return parse_array(p, v, depth);
    case '"':
        v->kind = JSON_STRING;
        return parse_string(p, &v->u.str.s, &v->u.str.len) ? v : NULL;
    case 't':
    case 'f':
        if (!literal(p, c == 't' ? "true" : "false"))
            return fail(p, "invalid literal");
        v->kind = JSON_BOOL;
        v->u.boolean = c == 't';
        return v;
    case 'n':
        if (!literal(p, "null"))
            return fail(p, "invalid literal");
        v->kind = JSON_NULL;
        return v;
    default:
        if (c == '-' || is_digit(c))
            return parse_number(p, v);
        return fail(p, "unexpected character");
    }
}

JsonValue *json_parse(Arena *a, char *text, size_t len, JsonError *err)
{
    Parser p = {a, text, len, 0, err};
    err->msg = NULL;
    err->offset = 0;
    JsonValue *v = parse_value(&p, 0);
    if (!v)
        return NULL;
    skip_space(&p);
    if (p.pos != p.len)
        return fail(&p, "text after the value");
    return v;
}

const JsonValue *json_get(const JsonValue *v, const char *key)
{
    if (!v || v->kind != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    const JsonValue *found = NULL;
    for (const JsonMember *m = v->u.list.members; m; m = m->next)
        if (m->key_len == n && memcmp(m->key, key, n) == 0)
            found = m->value;
    return found;
}

const JsonValue *json_get_kind(const JsonValue *v, const char *key, JsonKind kind)
{
    const JsonValue *m = json_get(v, key);
    return m && m->kind == kind ? m : NULL;
}

const char *json_get_string(const JsonValue *v, const char *key)
{
    const JsonValue *m = json_get_kind(v, key, JSON_STRING);
    return m ? m->u.str.s : NULL;
}

bool json_get_int(const JsonValue *v, const char *key, int64_t min, int64_t max,
                  int64_t *out)
{
    const JsonValue *m = json_get_kind(v, key, JSON_NUMBER);
    if (!m || !m->u.num.is_int || m->u.num.i < min || m->u.num.i > max)
        return false;
    *out = m->u.num.i;
    return true;
}

bool json_id_equal(const JsonValue *a, const JsonValue *b)
{
    if (!a || !b || a->kind != b->kind)
        return false;
    if (a->kind == JSON_NUMBER)
        return a->u.num.is_int && b->u.num.is_int && a->u.num.i == b->u.num.i;
    if (a->kind == JSON_STRING)
        return a->u.str.len == b->u.str.len &&
               memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    return false;
}

/* ---- writing ---------------------------------------------------------- */

void jw_init(JsonWriter *w, Arena *a)
{
    memset(w, 0, sizeof *w);
    w->arena = a;
}

void jw_reset(JsonWriter *w)
{
    w->len = 0;
    w->depth = 0;
    w->after_key = false;
    memset(w->has_items, 0, sizeof w->has_items);
}

static void reserve(JsonWriter *w, size_t more)
{
    if (w->cap - w->len > more)
        return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len <= more) {
        if (cap > SIZE_MAX / 4)
            arena_alloc(w->arena, SIZE_MAX);   /* fails: long-jumps */
        cap *= 2;
    }
    w->buf = arena_realloc(w->arena, w->buf, w->len, cap);
    w->cap = cap;
}

static void put(JsonWriter *w, const char *s, size_t n)
{
    reserve(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_char(JsonWriter *w, char c)
{
    reserve(w, 1);
    w->buf[w->len++] = c;
}

/* The comma before a value or key, unless it follows a key. */
static void before_value(JsonWriter *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && w->depth <= JSON_WRITER_MAX_DEPTH) {
        if (w->has_items[w->depth - 1])
            put_char(w, ',');
        w->has_items[w->depth - 1] = true;
    }
}

static void open_level(JsonWriter *w, char c)
{
    before_value(w);
    put_char(w, c);
    if (w->depth < JSON_WRITER_MAX_DEPTH)
        w->has_items[w->depth] = false;
    w->depth++;
}

static void close_level(JsonWriter *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    put_char(w, c);
}

void jw_object_begin(JsonWriter *w) { open_level(w, '{'); }
void jw_object_end(JsonWriter *w) { close_level(w, '}'); }
void jw_array_begin(JsonWriter *w) { open_level(w, '['); }
void jw_array_end(JsonWriter *w) { close_level(w, ']'); }

static void put_string(JsonWriter *w, const char *s, size_t n)
{
    reserve(w, n + 2);
    put_char(w, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            /* a run of plain ASCII at once */
            size_t j = i + 1;
            while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 &&
                   s[j] != '"' && s[j] != '\\')
                j++;
            put(w, s + i, j - i);
            i = j;
            continue;
        }
        if (c < 0x80) {
            char esc[8];
            switch (c) {
            case '"': put(w, "\\\"", 2); break;
            case '\\': put(w, "\\\\", 2); break;
            case '\n': put(w, "\\n", 2); break;
            case '\r': put(w, "\\r", 2); break;
            case '\t': put(w, "\\t", 2); break;
            default:
                snprintf(esc, sizeof esc, "\\u%04x", c);
                put(w, esc, 6);
            }
            i++;
            continue;
        }
        uint32_t cp;
        int k = json_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            put(w, "\xEF\xBF\xBD", 3);   /* U+FFFD for a byte that is not UTF-8 */
            i++;
        } else {
            put(w, s + i, (size_t)k);
            i += (size_t)k;
        }
    }
    put_char(w, '"');
}

void jw_key(JsonWriter *w, const char *key)
{
    before_value(w);
    put_string(w, key, strlen(key));
    put_char(w, ':');
    w->after_key = true;
}

void jw_string(JsonWriter *w, const char *s, size_t n)
{
    before_value(w);
    put_string(w, s, n);
}

void jw_cstring(JsonWriter *w, const char *s)
{
    if (!s)
        jw_null(w);
    else
        jw_string(w, s, strlen(s));
}

void jw_int(JsonWriter *w, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
    before_value(w);
    put(w, buf, (size_t)n);
}

void jw_bool(JsonWriter *w, bool v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(JsonWriter *w)
{
    before_value(w);
    put(w, "null", 4);
}

void jw_raw(JsonWriter *w, const char *json, size_t n)
{
    before_value(w);
    put(w, json, n);
}

void jw_value(JsonWriter *w, const JsonValue *v)
{
    switch (v->kind) {
    case JSON_NULL: jw_null(w); return;
    case JSON_BOOL: jw_bool(w, v->u.boolean); return;
    case JSON_NUMBER: jw_raw(w, v->u.num.text, v->u.num.len); return;
    case JSON_STRING: jw_string(w, v->u.str.s, v->u.str.len); return;
    case JSON_ARRAY:
        jw_array_begin(w);
        for (const JsonValue *e = v->u.list.head; e; e = e->next)
            jw_value(w, e);
        jw_array_end(w);
        return;
    case JSON_OBJECT:
        jw_object_begin(w);
        for (const JsonMember *m = v->u.list.members; m; m = m->next) {
            before_value(w);
            put_string(w, m->key, m->key_len);
            put_char(w, ':');
            w->after_key = true;
            jw_value(w, m->value);
        }
        jw_object_end(w);
        return;
    }
}

const char *jw_text(JsonWriter *w, size_t *len)
{
    reserve(w, 1);
    w->buf[w->len] = '\0';
    if (len)
        *len = w->len;
    return w->buf;
}
