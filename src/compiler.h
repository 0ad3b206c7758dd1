/*
 * compiler.h — the compilation: what every stage shares.
 *
 * A Compilation (struct strat_compilation) owns the arena, the interned
 * names, the loaded sources, the diagnostics and the results of each stage.
 * Stages take it as their first argument; nothing lives in globals.
 */
#ifndef STRAT_COMPILER_H
#define STRAT_COMPILER_H

#include <locale.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <setjmp.h>

#include "arena.h"
#include "ast.h"
#include "strat/strat.h"

/* ---- diagnostics ---------------------------------------------------- */

typedef enum DiagCode {
#define X(e, code, sev, title, help) e,
#include "diag_codes.def"
#undef X
    D_CODE_COUNT
} DiagCode;

typedef struct DiagInfo {
    const char *code;
    Severity severity;
    const char *title;
    const char *help;
} DiagInfo;

const DiagInfo *diag_info(DiagCode code);

typedef struct DiagNote {
    Loc loc;
    const char *msg;
    struct DiagNote *next;
} DiagNote;

typedef struct Diag {
    DiagCode code;
    Severity severity;
    Loc loc;
    const char *msg;
    const char *hint;    /* "did you mean `x`?" or another fix, or NULL */
    DiagNote *notes, *notes_tail;
    uint32_t seq;        /* emission order: the sort's tie breaker */
} Diag;

/* ---- sources -------------------------------------------------------- */

typedef struct Source {
    const char *path;        /* as shown in diagnostics */
    const char *real;        /* canonical absolute path, for cycle checks */
    const char *dir;         /* directory of real, for relative imports */
    const char *text;        /* contents, NUL-terminated */
    uint32_t len;
    uint32_t *line_starts;   /* built on first use */
    uint32_t nlines;
    bool is_stdlib;
    bool is_csv;
    bool owned_raw;          /* text came from the allocator (len + 2) */
    bool listed;             /* in Compilation.sources (else in unlisted) */
    Decl *decls;             /* parsed declarations */
} Source;

typedef struct LineCol {
    uint32_t line, col;      /* 1-based; col counts UTF-8 characters */
} LineCol;

/* ---- interned names ------------------------------------------------- */

typedef struct InternSlot {
    const char *s;           /* NULL: empty */
    uint32_t hash, len;
} InternSlot;

typedef struct Interner {
    InternSlot *slots;       /* one cache line holds four: a probe costs one miss */
    uint32_t cap, len;
} Interner;

struct Program;   /* checker output, see check.h */



/* The inputs hash, maybe under way on a thread (digest.c). */
typedef struct InputDigest {
    struct sha256_ctx ctx;        /* over sources [0, done) */
    uint32_t done;
    bool started, running;
    pthread_t thread;
    const Source **todo;          /* the running thread's sources */
    uint32_t ntodo;
} InputDigest;

struct strat_compilation {
    Arena arena;
    strat_allocator alloc;
    strat_options opts;
    jmp_buf *oom;                 /* armed by each API entry point */
    jmp_buf oom_storage;
    bool oom_happened;
    locale_t c_locale;            /* for strtod_l: results never follow
                                     the user's LC_NUMERIC */
    Interner names;
    PtrVec sources;               /* Source* */
    PtrVec unlisted;              /* Source* read ahead (command-line files,
                                     load.c) before their turn in sources;
                                     strat_free frees those never listed */
    PtrVec diags;                 /* Diag* */
    uint32_t code_counts[D_CODE_COUNT];   /* diagnostics given, per code */
    Diag diag_sink;               /* where diagnostics past the per-code cap go */
    unsigned suggestions;         /* "did you mean" searches over all names
                                     so far: each costs an edit distance per
                                     name, so a flood of typos gets few */
    unsigned nerrors, nwarnings;
    InputDigest digest;
    struct JitKept *jit_kept;     /* jit.c: the last compiled kernel */
    Decl *decls, *decls_tail;     /* all declarations, imports first */
    struct Program *program;
    struct Results *results;      /* after decide */
    struct Eval *eval;
    const char *stdlib_dir;
    const char *root;             /* canonical project root */
    int root_fd;                  /* the root, open: every file of the
                                     project is opened beneath it (-1) */
    const char *stdlib_real;      /* canonical stdlib directory, and */
    int stdlib_fd;                /* open (-1 until a std/ import) */
    uint64_t bytes_read;          /* --verbose: bytes of every file read */
    uint32_t files_read;
    /* frequently compared names */
    struct {
        Name s, title, owner, status, kind, investment, supports, depends_on,
            customers, suppliers, capability, cost, demand, metric, baseline,
            target, due, weight, parent, horizon, budget, run_max, vision,
            currency, likelihood, impact, accepted_by, services, delivers,
            price, support, when, approver, key, rule, entity, until,
            approved_by, reason, lead, retired, pipeline, catalogue,
            business, supporting, run, grow, transform, decision, number,
            string, date, bool_, lead_time;
    } n;
};

typedef struct strat_compilation Compilation;

typedef struct JitKept JitKept;
/* jit.c: releases the kept kernel (strat_free) */
void jit_release(Compilation *c);

/* parallel.c: fn(ctx, lo, hi) over [0, n) split across the cores (one
 * call when n < 2 * min_rows); fn writes its rows only. */
void parallel_rows(const Compilation *c, uint32_t n, uint32_t min_rows,
                   void (*fn)(void *ctx, uint32_t lo, uint32_t hi), void *ctx);
/* arena memory set to zero across the cores when it is large */
void *parallel_zalloc(Compilation *c, size_t bytes);

/* digest.c: a large CSV's load hashes the inputs on a thread meanwhile */
void digest_start(Compilation *c);
void digest_join(Compilation *c);

/* --verbose: how long a stage took, on stderr ("strat: time: check 12.3 ms"). */
void verbose_time(Compilation *c, const char *stage, double since);
double now_ms(void);

/* Entry points of the library arm the OOM jump with this pattern:
 *     STRAT_GUARD(c, STRAT_FAILURE);
 * which returns the given value if an allocation fails anywhere below. */
#define STRAT_GUARD(c, failval)                                           \
    do {                                                                  \
        (c)->oom = &(c)->oom_storage;                                     \
        (c)->arena.oom_jump = (c)->oom;                                   \
        if (setjmp((c)->oom_storage)) {                                   \
            (c)->oom_happened = true;                                     \
            return failval;                                               \
        }                                                                 \
    } while (0)

/* Every interned name carries a header just before its first character:
 * the entity it names (names are one namespace across kinds) and its atom
 * id.  Looking either up is a pointer subtraction, not a hash probe — a
 * million-row load does two fewer hash-table inserts per row. */
typedef struct NameInfo {
    int32_t kind;      /* EntityKind of the entity so named, or -1 */
    int32_t row;       /* its row in that kind's table */
    int32_t atom;      /* atom id once the name is used as a value, or -1 */
    int32_t pad;
} NameInfo;

static inline NameInfo *name_info(Name n)
{
    return (NameInfo *)(void *)n - 1;
}

Name intern(Compilation *c, const char *s, size_t len);
/* Makes room for n more names without rehashing (bulk loads). */
void intern_reserve(Compilation *c, uint32_t n);
uint32_t intern_hash(const char *s, size_t len);   /* pure: any thread */
Name intern_hashed(Compilation *c, const char *s, size_t len, uint32_t hash);
void intern_prefetch(const Compilation *c, uint32_t hash);
static inline Name intern_cstr(Compilation *c, const char *s);

Source *source_get(Compilation *c, uint32_t file);   /* file = index + 1 */
LineCol source_linecol(Compilation *c, uint32_t file, uint32_t offset);
/* Bytes in the well-formed UTF-8 sequence at text (1 for ASCII), or 0 if
 * none starts there (RFC 3629; `avail` bytes may be read). */
int utf8_sequence_len(const char *text, size_t avail);
/* 1 + the offset of the first byte that breaks UTF-8 (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF), or 0. */
uint32_t utf8_invalid_at(const char *text, size_t n);
/* The top of the first file the user named: where a diagnostic about the
 * strategy as a whole goes. */
Loc first_user_file(Compilation *c);
/* The inverse: the byte offset of a 1-based line and character column. */
uint32_t source_offset(Compilation *c, uint32_t file, uint32_t line, uint32_t col);
/* The text of the line holding offset, without its newline. */
Str source_line_text(Compilation *c, uint32_t file, uint32_t offset,
                     uint32_t *line_start);
/* Adds a source whose text is already in memory (copied).  Returns id. */
uint32_t source_add(Compilation *c, const char *path, const char *real,
                    const char *text, size_t len, bool is_stdlib);

/* load.c: the one way strat opens a file of the project (a command-line
 * file, an import, a CSV load).  `path` is absolute; its `.` and `..` are
 * taken as text.  It must lie inside the directory `under` (the project
 * root, or the stdlib directory) and so must every symlink followed on the
 * way, or the result is CONFINED_OUTSIDE without anything outside having
 * been opened; see load.c for how. */
typedef enum ConfinedStatus {
    CONFINED_OK,             /* fd open for reading (not yet fstat'ed) */
    CONFINED_OUTSIDE,        /* leaves `under`: say so, whether it exists or not */
    CONFINED_FAILED          /* inside, but cannot be opened: err */
} ConfinedStatus;

typedef struct Confined {
    ConfinedStatus status;
    int fd;
    int err;                 /* errno, CONFINED_FAILED */
    const char *real;        /* CONFINED_OK: canonical path, in the arena */
    const char *dir;         /* its directory */
} Confined;

/* The help under every "leaves the project root". */
#define ROOT_HINT "every file strat reads must lie inside the project root " \
                  "(--root DIR; by default the deepest directory holding the " \
                  "files named on the command line)"
Confined load_open_beneath(Compilation *c, int under_fd, const char *under,
                           const char *path);
/* A source about to be read: allocated before its file is opened, so that
 * no allocation failure can leave a descriptor or a buffer behind. */
Source *source_prepare(Compilation *c, const char *shown, bool is_stdlib);
/* Reads the whole regular file fd into s (two NULs after the text: flex
 * scans in place) and closes fd.  False with *why and *code if it is not a
 * regular file, is too large, or cannot be read. */
bool load_read_fd(Compilation *c, int fd, Source *s, const char **why,
                  DiagCode *code);
/* Makes room for one more item in v, doubling (so that the push after it
 * cannot fail). */
void ptrvec_room(Arena *a, PtrVec *v);
/* Lists a read source among c->sources (room made beforehand with
 * ptrvec_room) and returns its id. */
uint32_t source_list(Compilation *c, Source *s);
bool path_inside(const char *path, const char *root);

/* Records a diagnostic; printf-style message. */
Diag *diag_at(Compilation *c, DiagCode code, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diag *diag_sev(Compilation *c, DiagCode code, Severity sev, Loc loc,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_note(Compilation *c, Diag *d, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_hint(Compilation *c, Diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

static inline Name intern_cstr(Compilation *c, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return intern(c, s, n);
}

static inline Loc loc_span(Loc a, Loc b)
{
    Loc l = a;
    if (b.file == a.file && b.end > a.end)
        l.end = b.end;
    return l;
}

#endif
