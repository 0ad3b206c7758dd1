/*
 * strat.h — the public API of libstrat, the library under the `strat` tool.
 *
 * A compilation owns everything it allocates (one arena) and holds no global
 * state, so a process may run several at once.  The usual life:
 *
 *     strat_compilation *c = strat_new(NULL, &opts);
 *     strat_load(c, files, n);          // lex, parse, follow imports
 *     strat_check(c);                   // resolve names, run every check
 *     strat_decide(c);                  // score, decide, rules and limits
 *     strat_emit_decisions(c, stdout, "table");
 *     strat_print_diagnostics(c, stderr, STRAT_DIAG_TEXT, false);
 *     strat_free(c);
 *
 * Each step returns a strat_status; diagnostics accumulate in the compilation
 * and are printed sorted by file and position.  A step runs the steps
 * before it that have not run (strat_emit_decisions after strat_load
 * checks and decides), and each runs once.
 */
#ifndef STRAT_STRAT_H
#define STRAT_STRAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRAT_VERSION "0.1.0"

/* One allocation function, Lua style: (ud, ptr, old_size, new_size).
 * new_size == 0 frees ptr; otherwise returns new storage or NULL. */
typedef void *(*strat_alloc_fn)(void *ud, void *ptr, size_t old_size,
                                size_t new_size);
typedef struct strat_allocator {
    strat_alloc_fn fn;
    void *ud;
} strat_allocator;

typedef enum strat_status {
    STRAT_OK = 0,        /* clean (warnings allowed) */
    STRAT_FINDINGS = 1,  /* errors found in the strategy */
    STRAT_FAILURE = 2    /* usage, I/O or resource failure */
} strat_status;

typedef enum strat_jit_mode {
    STRAT_JIT_AUTO = 0,
    STRAT_JIT_ON,
    STRAT_JIT_OFF
} strat_jit_mode;

/* A check's level set on the command line (--allow/--warn/--deny). */
typedef enum strat_lint_level {
    STRAT_LINT_ALLOW = 1,      /* drop its diagnostics */
    STRAT_LINT_WARN,           /* keep them warnings (over the file's level) */
    STRAT_LINT_DENY            /* make them errors */
} strat_lint_level;

typedef struct strat_lint_setting {
    const char *check;         /* snake_case name (orphan_service) or code (S0707) */
    strat_lint_level level;
} strat_lint_setting;

/* 0 when `check` names a check whose level may be set; 1 when it names no
 * check; 2 when it names an error, which cannot be allowed. */
int strat_lint_check(const char *check);

typedef struct strat_options {
    const char *stdlib_dir;    /* where `std/...` imports live; NULL: default */
    const char *project_root;  /* no file read may lie outside it (imports,
                                  CSV loads, the files named); NULL: the
                                  deepest directory holding the directories
                                  of all the files named */
    const char *today;         /* "YYYY-MM-DD" for waiver expiry; NULL: now */
    const char *scenario;      /* scenario to apply before scoring, or NULL */
    strat_jit_mode jit;
    bool jit_O0;               /* compile without optimisation (tests) */
    const char *cache_dir;     /* compiled-code cache; NULL: XDG default,
                                  "": no cache */
    bool werror;               /* warnings count as findings */
    bool verbose;
    bool progress;             /* show progress on stderr for long loads
                                  (the CLI sets it when stderr is a tty) */
    unsigned max_errors;       /* 0: default limit of printed diagnostics */
    unsigned threads;          /* threads for CSV loading and JIT scoring;
                                  0: one per online core */
    unsigned csv_block_bytes;  /* CSV bytes per parallel block; 0: default
                                  (tests set it tiny to stress the seams) */
    bool hash_inputs;          /* decisions will be emitted: hash the inputs
                                  on a thread while a large CSV loads */
    unsigned fmt_width;        /* strat_format's line width; 0: 100 */
    const strat_lint_setting *lint;   /* check levels, later ones win; they */
    unsigned nlint;                   /* win over the strategy's `lint` block */
} strat_options;

typedef enum strat_diag_format {
    STRAT_DIAG_TEXT = 0,
    STRAT_DIAG_JSON,
    STRAT_DIAG_SARIF,
    STRAT_DIAG_GITHUB
} strat_diag_format;

typedef struct strat_compilation strat_compilation;

/* True for an existing calendar date written YYYY-MM-DD. */
bool strat_valid_date(const char *text);

/* alloc may be NULL for malloc/free.  Returns NULL only if the very first
 * allocation fails. */
strat_compilation *strat_new(const strat_allocator *alloc,
                             const strat_options *opts);
void strat_free(strat_compilation *c);

strat_status strat_load(strat_compilation *c, const char *const *paths,
                        int npaths);
/* Reads one file under the rule strat_load applies to each file named
 * (inside the project root — opts.project_root, or else the file's own
 * directory — through no symlink leading out of it, a regular file of at
 * most 256 MiB) for a caller that handles its text itself (`strat fmt`).  The text lives as long as c; STRAT_FAILURE with
 * a diagnostic in c when the file is refused or cannot be read. */
strat_status strat_read_file(strat_compilation *c, const char *path,
                             const char **text, size_t *len);
/* Resolves names, loads CSV inventories, types every expression and runs
 * the portfolio-wide checks; scores nothing.  STRAT_FINDINGS when an
 * error was found so far. */
strat_status strat_check(strat_compilation *c);

/* Runs the checked program: scenario, scores, decisions, rank, approvals,
 * then governance rules (with their waivers) and limits, whose violations
 * are diagnostics like any other.  It runs unless an error makes running
 * meaningless (syntax, names, types, schema violations...); findings
 * about a well-formed portfolio (an expired waiver, a broken rule, a
 * budget overrun, a score that is not a number...) do not stop it, though
 * they still make the status STRAT_FINDINGS.  docs/architecture.md lists
 * which errors are which. */
strat_status strat_decide(strat_compilation *c);
/* True once the portfolio has decisions: strat_decide ran, no error
 * blocked it, and the strategy has a decide block. */
bool strat_decided(const strat_compilation *c);

/* The outputs of a decided portfolio (each decides first if strat_decide
 * has not run).  format: "table", "json", "csv", "md", "summary" or
 * "html".  STRAT_FINDINGS, writing nothing, when there is nothing decided
 * (an error blocked deciding, or there is no decide block). */
strat_status strat_emit_decisions(strat_compilation *c, FILE *out,
                                  const char *format);
/* Why `service` got its decision, and what would flip it. */
strat_status strat_explain(strat_compilation *c, FILE *out,
                           const char *service);
/* Runs test blocks, one line per test on out; failures are diagnostics. */
strat_status strat_test(strat_compilation *c, FILE *out, unsigned *passed,
                        unsigned *failed);

/* The largest source file strat reads (`check`, imports) or formats, in
 * bytes: positions in a file are kept in 32 bits. */
#define STRAT_MAX_SOURCE_BYTES ((size_t)256 << 20)

/* Formats one file's text (`path` names it in diagnostics) in the
 * canonical layout onto out.  STRAT_FINDINGS when it has syntax errors
 * (diagnostics are in c; nothing useful was written); STRAT_FAILURE, with
 * nothing written, when len is over STRAT_MAX_SOURCE_BYTES. */
strat_status strat_format(strat_compilation *c, const char *path,
                          const char *text, size_t len, FILE *out);

/* True once an allocation has failed: the compilation is unusable and
 * the caller should report "out of memory" and exit 2. */
bool strat_out_of_memory(const strat_compilation *c);

/* Counts of diagnostics by severity (after load/check/decide). */
unsigned strat_error_count(const strat_compilation *c);
unsigned strat_warning_count(const strat_compilation *c);

/* Prints every diagnostic gathered so far, sorted; color only for TEXT. */
void strat_print_diagnostics(strat_compilation *c, FILE *out,
                             strat_diag_format fmt, bool color);

/* `strat diff` (diff.c): the decisions that changed from `old` to `new_`
 * (both checked and decided), each with its cause; format "text" (NULL)
 * or "md".  *changes (may be NULL) gets the number of services added,
 * removed or moved to another decision.  STRAT_FINDINGS, writing nothing,
 * when either side has nothing decided (errors, or no decide block). */
strat_status strat_diff(strat_compilation *old, strat_compilation *new_,
                        FILE *out, const char *format, unsigned *changes);

/* `strat graph` (graph.c): services, depends_on edges, value-stream
 * clusters and supported objectives, coloured by decision; format "dot"
 * (NULL) or "mermaid".  Draws a strategy with errors too (no colours). */
strat_status strat_graph(strat_compilation *c, FILE *out, const char *format);

/* Which decisions are knife-edge: `runs` Monte-Carlo runs, each perturbing
 * every numeric service input and objective weight by up to `spread` (a
 * fraction; bounded attributes by that fraction of their range) with draws
 * fixed by `seed`, re-deciding the portfolio; reports each service whose
 * decision changed, how often and into what.  Zero fields take the
 * defaults (200 runs, spread 0.10, knife_edge 0.10: a decision that changes
 * in at least that fraction of runs is knife-edge).  format: "table"
 * (NULL), "json" or "csv".  Needs a decided portfolio (strat_decide). */
typedef struct strat_sensitivity_options {
    unsigned runs;
    double spread;
    unsigned long long seed;
    double knife_edge;
    const char *format;
} strat_sensitivity_options;

strat_status strat_sensitivity(strat_compilation *c, FILE *out,
                               const strat_sensitivity_options *opts);

#ifdef __cplusplus
}
#endif
#endif
