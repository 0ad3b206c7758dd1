/*
 * intern.h — the compilation's table of identifiers (intern.c), and the
 * "did you mean" search over names.
 *
 * Interning gives each distinct spelling one pointer, so later stages
 * compare names by pointer.  Every interned name carries a header just
 * before its first character: the entity it names (names are one
 * namespace across kinds) and its atom id.  Looking either up is a pointer
 * subtraction, not a hash probe — a million-row load does two fewer
 * hash-table inserts per row.
 */
#ifndef STRAT_INTERN_H
#define STRAT_INTERN_H

#include "compiler.h"

typedef struct NameInfo {
    /* the entity so named: its EntityKind in the low NAME_KIND_BITS
     * (NAME_NO_KIND when it names none), its row in that kind's table
     * above them.  Eight bytes, not twelve: a million CSV keys are a
     * million headers (kind_add_row refuses a row past NAME_MAX_ROWS). */
    uint32_t kind_row;
    int32_t atom;      /* atom id once the name is used as a value, or -1 */
} NameInfo;

enum { NAME_KIND_BITS = 3, NAME_NO_KIND = (1 << NAME_KIND_BITS) - 1 };
#define NAME_MAX_ROWS (UINT32_C(1) << (32 - NAME_KIND_BITS))

static inline NameInfo *name_info(Name n)
{
    return (NameInfo *)(void *)n - 1;
}

/* The EntityKind a name names, or -1. */
static inline int name_info_kind(const NameInfo *ni)
{
    unsigned k = ni->kind_row & NAME_NO_KIND;
    return k == NAME_NO_KIND ? -1 : (int)k;
}

static inline int32_t name_info_row(const NameInfo *ni)
{
    return (int32_t)(ni->kind_row >> NAME_KIND_BITS);
}

Name intern(Compilation *c, const char *s, size_t len);
/* Makes room for n more names without rehashing (bulk loads). */
void intern_reserve(Compilation *c, uint32_t n);
/* Room for bytes of names' headers and text in one piece (bulk loads). */
void intern_reserve_text(Compilation *c, size_t bytes);
uint32_t intern_hash(const char *s, size_t len);   /* pure: any thread */
Name intern_hashed(Compilation *c, const char *s, size_t len, uint32_t hash);
void intern_prefetch(const Compilation *c, uint32_t hash);

static inline Name intern_cstr(Compilation *c, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return intern(c, s, n);
}

/* Fills c->n, the names the stages compare against. */
void intern_init_names(Compilation *c);

/* "did you mean": the candidate closest to name by edit distance, if close
 * enough to be a plausible typo, else NULL. */
Name suggest_name(Name name, Name const *candidates, uint32_t n);

/* The same search with the candidates offered one at a time, so a caller
 * walking a hundred thousand names copies none of them:
 *   Suggester s; suggest_begin(&s, typo); ...suggest_offer(&s, cand)...;
 *   Name best = suggest_best(&s);   (NULL when nothing is close enough) */
typedef struct Suggester {
    Name name, best;
    size_t len;
    unsigned limit, best_d;
} Suggester;
void suggest_begin(Suggester *s, Name name);
void suggest_offer(Suggester *s, Name candidate);
Name suggest_best(const Suggester *s);

/* Names as the source writes them (DESIGN §5.2).  An identifier that is
 * not a keyword is written as it is; any other name in backticks:
 * `Email Archive Platform`.  name_writable: whether backticks can hold it
 * (not empty, no backtick or control character, no space at either end). */
bool name_is_identifier(const char *s);
bool name_writable(const char *s);
const char *name_spelling(Arena *a, const char *s);   /* s itself or "`s`" */
size_t name_spelled_len(const char *s);

#endif
