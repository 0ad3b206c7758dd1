/*
 * compiler.h — the compilation: the state every stage shares, and the
 * vocabulary types it is made of (locations, names, diagnostics, sources).
 *
 * A Compilation (struct strat_compilation) owns the arena, the interned
 * names, the loaded sources, the diagnostics and the results of each stage.
 * Stages take it as their first argument; nothing lives in globals.  This
 * header holds types only: the functions over each part are declared by
 * the module that defines them (intern.h, source.h, diag.h, digest.h,
 * ...), each of which includes this.  Results of later stages hang off the
 * compilation as pointers to types this header does not know (Program,
 * Results, Eval, JitKept): their modules own them.  docs/architecture.md
 * draws the layers.
 */
#ifndef STRAT_COMPILER_H
#define STRAT_COMPILER_H

#include <locale.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "strat/strat.h"
#include "strat/strat_test.h"

/* ---- locations and names ----------------------------------------------- */

/* A source range: byte offsets into one source file.  file == 0 means "no
 * location"; otherwise it is the source's index + 1.  Line and column are
 * computed only when a diagnostic is printed. */
typedef struct Loc {
    uint32_t file;
    uint32_t start, end;
} Loc;

/* Interned identifier: equal names are equal pointers (intern.h). */
typedef const char *Name;

typedef struct Str {
    const char *s;   /* NUL-terminated, escapes already decoded */
    uint32_t len;
} Str;

typedef enum Severity { SEV_ERROR, SEV_WARNING, SEV_INFO, SEV_NOTE } Severity;

static inline Loc loc_span(Loc a, Loc b)
{
    Loc l = a;
    if (b.file == a.file && b.end > a.end)
        l.end = b.end;
    return l;
}

/* ---- diagnostics (diag.h) ------------------------------------------------ */

typedef enum DiagCode {
#define X(e, code, name, sev, title, help, stop) e,
#include "diag_codes.def"
#undef X
    D_CODE_COUNT
} DiagCode;

typedef struct DiagNote {
    Loc loc;
    const char *msg;
    struct DiagNote *next;
} DiagNote;

/* A fix-it: replace the bytes of `loc` with `text` (an insertion when
 * loc.start == loc.end).  `machine_applicable` fixes are safe to apply
 * without a human reading them (`strat fix`, SARIF `fixes`, LSP quick fixes);
 * the others are shown as help only. */
typedef struct DiagFix {
    Loc loc;
    const char *text;
    bool machine_applicable;
    struct DiagFix *next;
} DiagFix;

typedef struct Diag {
    DiagCode code;
    Severity severity;
    Loc loc;
    const char *msg;
    const char *hint;    /* "did you mean `x`?" or another fix, or NULL */
    DiagNote *notes, *notes_tail;
    DiagFix *fixes, *fixes_tail;   /* in the order added */
    uint32_t seq;        /* emission order: the sort's tie breaker */
} Diag;

/* A top-level declaration a syntax error broke (parse.c): bytes
 * [start, end) of source `file`, and the name it declares (or NULL). */
typedef struct BrokenDecl {
    uint32_t file, start, end;
    Name name;
} BrokenDecl;

/* ---- sources (source.h, load.h) ------------------------------------------ */

struct Decl;   /* ast.h */

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
    size_t mapped_bytes;     /* else, when nonzero: text is a mapping this long */
    bool listed;             /* in Compilation.sources (else in unlisted) */
    struct Decl *decls;      /* parsed declarations */
} Source;

typedef struct LineCol {
    uint32_t line, col;      /* 1-based; col counts UTF-8 characters */
} LineCol;

/* ---- interned names (intern.h) ------------------------------------------- */

/* A name's address (below 2^48) with the low 16 bits of its hash above
 * it; 0: empty. */
typedef struct InternSlot {
    uint64_t word;
} InternSlot;

typedef struct Interner {
    InternSlot *slots;       /* one cache line holds eight: a probe costs one miss */
    uint32_t cap, len;
    char *text_cur, *text_end;   /* the chunk names are cut from (intern.c) */
} Interner;

/* ---- the inputs hash (digest.h) ------------------------------------------- */

/* The inputs hash, maybe under way on a thread. */
typedef struct InputDigest {
    struct sha256_ctx ctx;        /* over sources [0, done) */
    uint32_t done;
    bool started, running;
    pthread_t thread;
    const Source **todo;          /* the running thread's sources */
    uint32_t ntodo;
} InputDigest;

/* ---- the compilation ------------------------------------------------------ */

struct Program;   /* program.h: the checked program */
struct Results;   /* eval.h: scores and decisions */
struct Eval;      /* eval.h: the interpreter's state after deciding */
struct JitKept;   /* jit.c: the last compiled kernel */

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
    /* lint levels (diag.h): per check, from the command line and from the
     * strategy's `lint` block (LintLevel; 0: not set there), and the
     * entities' `allow` spans (LintSpan*); nallowed counts what they dropped */
    uint8_t lint_cli[D_CODE_COUNT], lint_file[D_CODE_COUNT];
    PtrVec lint_spans;
    unsigned nallowed;
    /* per CSV source (index = Loc.file - 1), diagnostics given per code
     * (uint32_t[D_CODE_COUNT] or NULL): the text summary's counts */
    PtrVec csv_code_counts;
    unsigned nblocking;           /* errors whose code stops evaluation
                                     (diag_codes.def, docs/architecture.md) */
    InputDigest digest;
    /* cascade control (parse.c, load.c, diag.c): declarations broken by a
     * syntax error (BrokenDecl*), whose other diagnostics are
     * dropped and whose names are "poisoned" (never reported undefined);
     * an import that failed, after which no name is reported undefined
     * (it may have been in the missing file); how many were dropped */
    PtrVec broken_decls;
    Diag *failed_import;
    unsigned silenced;            /* undefined names hidden by failed_import */
    struct JitKept *jit_kept;
    const char *jit_compiler;     /* libgccjit's version in the last key (jit.c) */
    struct Decl *decls, *decls_tail;   /* all declarations, imports first */
    struct Program *program;      /* after checking (api.c) */
    struct Results *results;      /* after deciding */
    struct Eval *eval;
    bool decide_ran;              /* api.c: decide runs once */
    strat_test_knobs test;        /* strat_set_test_knobs */
    strat_reader_fn reader;       /* strat_set_reader: imports' text first */
    void *reader_ctx;
    strat_log_fn log;             /* strat_set_log: progress, timings, notes */
    void *log_ctx;
    struct Diag **diag_view;      /* strat_diag_get: the sorted diagnostics, */
    uint32_t diag_view_len;       /* as of diag_view_len of them */
    const char *stdlib_dir;
    const char *root;             /* canonical project root */
    int root_fd;                  /* the root, open: every file of the
                                     project is opened beneath it (-1) */
    const char *stdlib_real;      /* canonical stdlib directory, and */
    int stdlib_fd;                /* open (-1 until a std/ import) */
    uint64_t bytes_read;          /* --verbose: bytes of every file read */
    uint32_t files_read;
    /* frequently compared names (intern_init_names) */
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

/* The entry points of the library (api.c) arm the OOM jump with
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

#endif
