/*
 * intern.c — the compilation's table of identifiers.  The lexer interns each
 * identifier once, so later stages compare names by pointer.
 */
#include <string.h>

#include "compiler.h"

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;               /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void interner_grow(Compilation *c)
{
    Interner *t = &c->names;
    uint32_t ncap = t->cap ? t->cap * 2 : 1024;
    const char **slots = ARENA_ARRAY(&c->arena, const char *, ncap);
    uint32_t *hashes = ARENA_ARRAY(&c->arena, uint32_t, ncap);
    for (uint32_t i = 0; i < t->cap; i++) {
        if (!t->slots[i])
            continue;
        uint32_t j = t->hashes[i] & (ncap - 1);
        while (slots[j])
            j = (j + 1) & (ncap - 1);
        slots[j] = t->slots[i];
        hashes[j] = t->hashes[i];
    }
    t->slots = slots;
    t->hashes = hashes;
    t->cap = ncap;
}

Name intern(Compilation *c, const char *s, size_t len)
{
    Interner *t = &c->names;
    if ((t->len + 1) * 2 > t->cap)
        interner_grow(c);
    uint32_t h = hash_bytes(s, len);
    uint32_t j = h & (t->cap - 1);
    while (t->slots[j]) {
        if (t->hashes[j] == h && strncmp(t->slots[j], s, len) == 0 &&
            t->slots[j][len] == '\0')
            return t->slots[j];
        j = (j + 1) & (t->cap - 1);
    }
    t->slots[j] = arena_strndup(&c->arena, s, len);
    t->hashes[j] = h;
    t->len++;
    return t->slots[j];
}

/* Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo: `grwo` for `grow`). */
static unsigned edit_distance(const char *a, const char *b, unsigned limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    unsigned d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

Name suggest_name(Name name, Name const *candidates, uint32_t n)
{
    size_t len = strlen(name);
    /* A typo is at most a third of the name, and at least one edit. */
    unsigned limit = (unsigned)(len / 3 > 0 ? len / 3 : 1);
    if (limit > 3)
        limit = 3;
    Name best = NULL;
    unsigned best_d = limit + 1;
    for (uint32_t i = 0; i < n; i++) {
        if (!candidates[i] || candidates[i] == name)
            continue;
        unsigned d = edit_distance(name, candidates[i], limit);
        /* ties go to the alphabetically first name: deterministic */
        if (d < best_d || (d == best_d && best && strcmp(candidates[i], best) < 0)) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
