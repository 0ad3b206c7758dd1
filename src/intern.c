/*
 * intern.c — the compilation's table of identifiers.  The lexer interns each
 * identifier once, so later stages compare names by pointer.
 */
#include <string.h>

#include "intern.h"
#include "parallel.h"

/* The n < 8 bytes at s as a little-endian number (what a memcpy into a
 * zeroed word gives), from two overlapping loads of fixed size: a memcpy
 * of a variable length is a call, and the word read back just after it
 * was written byte by byte waits for the stores. */
static inline uint64_t tail_word(const char *s, size_t n)
{
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << ((n - 4) * 8);   /* (overlap: same bytes) */
    }
    if (n == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    return (uint64_t)u[0] | (uint64_t)u[n / 2] << (n / 2 * 8) | (uint64_t)u[n - 1] << ((n - 1) * 8);
}

/* Eight bytes at a time, then a final mix: names are short, and a
 * million-row load hashes two million of them. */
uint32_t intern_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    h = (h ^ tail_word(s + i, len - i)) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

/* The table holds at most three names in four slots, and any number of
 * slots, not a power of two: a million-row load reserves what its names
 * need, a third more, not the next power of two above twice as many (11 MB
 * of slots instead of 17).  A hash picks its home slot by scaling, not
 * masking ("fastrange"): (hash * cap) >> 32 spreads 32 bits over any cap. */
static inline uint32_t home_slot(const Interner *t, uint32_t hash)
{
    return (uint32_t)(((uint64_t)hash * t->cap) >> 32);
}

static inline uint32_t next_slot(const Interner *t, uint32_t j)
{
    return j + 1 == t->cap ? 0 : j + 1;
}

static inline bool over_load(uint64_t len, uint64_t cap)
{
    return len * 4 > cap * 3;
}

/* A slot is one word: the name's address below bit 48 (user addresses on
 * the 64-bit platforms strat runs on are below 2^47; a name at or above
 * 2^48 is refused as an allocation failure), and above it 16 bits of the
 * hash, so most probes that miss compare no text.  Eight bytes, not
 * sixteen: a million-row load's table is 11 MB, not 21, and a cache line
 * holds eight slots.  The low bits are the tag: the high ones chose the
 * home slot, so neighbours share them. */
enum { SLOT_TAG_SHIFT = 48 };
#define SLOT_ADDRESS ((UINT64_C(1) << SLOT_TAG_SHIFT) - 1)

static inline uint64_t slot_tag(uint32_t hash)
{
    return (uint64_t)(hash & 0xFFFF) << SLOT_TAG_SHIFT;
}

static inline const char *slot_name(uint64_t word)
{
    return (const char *)(uintptr_t)(word & SLOT_ADDRESS);
}

/* True when the name is the len bytes at s.  Names hold no NUL (the
 * lexer and the CSV reader reject it), so the name's own NUL ends the
 * comparison: it never reads past a shorter name. */
static inline bool name_is(const char *name, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && name[i] == s[i] && name[i])
        i++;
    return i == len && name[len] == '\0';
}

static void interner_resize(Compilation *c, uint32_t ncap)
{
    Interner *t = &c->names;
    Interner grown = *t;
    grown.slots = parallel_zalloc(c, sizeof(InternSlot) * (size_t)ncap);
    grown.cap = ncap;
    for (uint32_t i = 0; i < t->cap; i++) {
        uint64_t w = t->slots[i].word;
        if (!w)
            continue;
        const char *name = slot_name(w);
        uint32_t j = home_slot(&grown, intern_hash(name, strlen(name)));
        while (grown.slots[j].word)
            j = next_slot(&grown, j);
        grown.slots[j].word = w;
    }
    *t = grown;
}

void intern_reserve(Compilation *c, uint32_t n)
{
    Interner *t = &c->names;
    /* a little over: names interned after a bulk load (a diagnostic's, a
     * scenario's) must not double the table */
    uint64_t names = (uint64_t)t->len + n + n / 64 + 1024;
    uint64_t need = (names * 4 + 2) / 3;
    if (!over_load(names, t->cap) || need > (1ULL << 31))
        return;
    interner_resize(c, (uint32_t)need);
}

/* A hint that s is about to be interned: starts loading its slot, so a
 * loop that interns a million CSV keys overlaps the cache misses instead of
 * waiting for each in turn.  Out of line on purpose: inlined, GCC 12 finds
 * the caller (csv_load.c's prefetch_record) free of side effects, since a
 * prefetch does not count as one, and deletes the call. */
void intern_prefetch(const Compilation *c, uint32_t hash)
{
    const Interner *t = &c->names;
    if (t->cap)
        __builtin_prefetch(&t->slots[home_slot(t, hash)]);
}

Name intern(Compilation *c, const char *s, size_t len)
{
    return intern_hashed(c, s, len, intern_hash(s, len));
}

/* Room for a name's header and text.  Names are cut from chunks of the
 * arena four bytes aligned, not one arena piece each at max_align_t's 16:
 * a million ten-byte keys take 24 MB, not 32. */
static void *name_space(Compilation *c, size_t size)
{
    enum { CHUNK = 64 << 10 };
    Interner *t = &c->names;
    size = (size + _Alignof(NameInfo) - 1) & ~(size_t)(_Alignof(NameInfo) - 1);
    if ((size_t)(t->text_end - t->text_cur) < size) {
        if (size > CHUNK / 4)
            return arena_alloc(&c->arena, size);   /* a long name: a piece of its own */
        t->text_cur = arena_alloc(&c->arena, CHUNK);
        t->text_end = t->text_cur + CHUNK;
    }
    void *p = t->text_cur;
    t->text_cur += size;
    return p;
}

/* Room for `bytes` of names (headers and text) in one piece: a bulk
 * load's keys then go to memory known in advance, which the CSV workers
 * fault in ahead of the interning (csv_load.c).  What is not used stays
 * untouched memory. */
void intern_reserve_text(Compilation *c, size_t bytes)
{
    Interner *t = &c->names;
    if ((size_t)(t->text_end - t->text_cur) >= bytes)
        return;
    t->text_cur = arena_alloc(&c->arena, bytes);
    t->text_end = t->text_cur + bytes;
}

/* intern() with the hash worked out already (by a CSV worker thread) */
Name intern_hashed(Compilation *c, const char *s, size_t len, uint32_t h)
{
    Interner *t = &c->names;
    if (over_load((uint64_t)t->len + 1, t->cap))
        interner_resize(c, t->cap ? (t->cap > (1u << 30) ? UINT32_MAX : t->cap * 2) : 1024);
    uint32_t j = home_slot(t, h);
    const uint64_t tag = slot_tag(h);
    for (uint64_t w; (w = t->slots[j].word); j = next_slot(t, j)) {
        const char *name = slot_name(w);
        if ((w & ~SLOT_ADDRESS) == tag && name_is(name, s, len))
            return name;
    }
    NameInfo *info = name_space(c, sizeof(NameInfo) + len + 1);
    info->kind_row = NAME_NO_KIND;
    info->atom = -1;
    char *text = (char *)(info + 1);
    memcpy(text, s, len);
    text[len] = '\0';
    if ((uint64_t)(uintptr_t)text & ~SLOT_ADDRESS)
        arena_fail(&c->arena);
    t->slots[j].word = (uint64_t)(uintptr_t)text | tag;
    t->len++;
    return text;
}

/* Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo: `grwo` for `grow`), or limit + 1 as
 * soon as every cell of a row is past the limit: a search offers every name
 * of a large strategy, and most are nowhere near. */
static unsigned edit_distance(const char *a, size_t la, const char *b, unsigned limit)
{
    /* b's length, looked at only as far as it can matter: a search offers
     * every name of the strategy, and most are too long or too short */
    size_t lb = 0;
    while (b[lb] && lb <= la + limit)
        lb++;
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
        unsigned row_min = d[i][0];
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
            if (v < row_min)
                row_min = v;
        }
        /* a transposition reaches back two rows, so stop only when the
         * row before was past the limit as well */
        if (row_min > limit && i > 1) {
            unsigned prev_min = d[i - 1][0];
            for (size_t j = 1; j <= lb; j++)
                if (d[i - 1][j] < prev_min)
                    prev_min = d[i - 1][j];
            if (prev_min > limit)
                return limit + 1;
        }
    }
    return d[la][lb];
}

void suggest_begin(Suggester *s, Name name)
{
    size_t len = strlen(name);
    s->name = name;
    s->len = len;
    /* A typo is at most a third of the name, and at least one edit. */
    s->limit = (unsigned)(len / 3 > 0 ? len / 3 : 1);
    if (s->limit > 3)
        s->limit = 3;
    s->best = NULL;
    s->best_d = s->limit + 1;
}

void suggest_offer(Suggester *s, Name candidate)
{
    if (!candidate || candidate == s->name)
        return;
    unsigned d = edit_distance(s->name, s->len, candidate, s->limit);
    /* ties go to the alphabetically first name: deterministic */
    if (d < s->best_d || (d == s->best_d && s->best && strcmp(candidate, s->best) < 0)) {
        s->best_d = d;
        s->best = candidate;
    }
}

Name suggest_best(const Suggester *s)
{
    return s->best_d <= s->limit ? s->best : NULL;
}

Name suggest_name(Name name, Name const *candidates, uint32_t n)
{
    Suggester s;
    suggest_begin(&s, name);
    for (uint32_t i = 0; i < n; i++)
        suggest_offer(&s, candidates[i]);
    return suggest_best(&s);
}

void intern_init_names(Compilation *c)
{
#define N(field, text) c->n.field = intern_cstr(c, text)
    N(s, "s"); N(title, "title"); N(owner, "owner"); N(status, "status");
    N(kind, "kind"); N(investment, "investment"); N(supports, "supports");
    N(depends_on, "depends_on"); N(customers, "customers");
    N(suppliers, "suppliers"); N(capability, "capability"); N(cost, "cost");
    N(demand, "demand"); N(metric, "metric"); N(baseline, "baseline");
    N(target, "target"); N(due, "due"); N(weight, "weight");
    N(parent, "parent"); N(horizon, "horizon"); N(budget, "budget");
    N(run_max, "run_max"); N(vision, "vision"); N(currency, "currency");
    N(likelihood, "likelihood"); N(impact, "impact");
    N(accepted_by, "accepted_by"); N(services, "services");
    N(delivers, "delivers"); N(price, "price"); N(support, "support");
    N(when, "when"); N(approver, "approver"); N(key, "key"); N(rule, "rule");
    N(entity, "entity"); N(until, "until"); N(approved_by, "approved_by");
    N(reason, "reason"); N(lead, "lead"); N(retired, "retired");
    N(pipeline, "pipeline"); N(catalogue, "catalogue");
    N(business, "business"); N(supporting, "supporting"); N(run, "run");
    N(grow, "grow"); N(transform, "transform"); N(decision, "decision");
    N(number, "number"); N(string, "string"); N(date, "date");
    N(bool_, "bool"); N(lead_time, "lead_time");
#undef N
}

/* ---- names as the source writes them (DESIGN §5.2) --------------------- */

/* The lexer's keywords (grammar/strat.l): a name spelled like one is
 * written in backticks. */
static const char *const keywords[] = {
    "all", "and", "any", "appetite", "approval", "asc", "because", "by",
    "const", "customer", "decide", "desc", "else", "expect", "false", "for",
    "from", "if", "import", "in", "let", "limit", "lint", "load", "none",
    "not", "objective", "offering", "or", "otherwise", "rank", "required",
    "risk", "role", "rule", "scenario", "schema", "score", "service", "set",
    "stage", "strategy", "team", "test", "then", "true", "value_stream",
    "waiver", "when", "where",
};

bool name_is_identifier(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    /* binary search: the table is sorted */
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(s, keywords[mid]);
        if (cmp == 0)
            return false;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return true;
}

bool name_writable(const char *s)
{
    if (!s || !*s || s[0] == ' ' || s[strlen(s) - 1] == ' ')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F || *p == '`')
            return false;
    return true;
}

const char *name_spelling(Arena *a, const char *s)
{
    if (!s || name_is_identifier(s))
        return s;
    return arena_printf(a, "`%s`", s);
}

size_t name_spelled_len(const char *s)
{
    return strlen(s) + (name_is_identifier(s) ? 0 : 2);
}
