/*
 * strat.h — the public API of libstrat, the library under the `strat` tool.
 *
 * A compilation owns everything it allocates (one arena) and holds no global
 * state, so a process may run several at once.  The usual life:
 *
 *     strat_options opts = {0};         // stdlib_dir NULL: the installed one
 *     strat_compilation *c = strat_new(NULL, &opts);
 *     strat_load(c, files, n);          // lex, parse, follow imports
 *     strat_check(c);                   // resolve names, run every check
 *     strat_decide(c);                  // score, decide, rules and limits
 *     strat_emit_decisions(c, stdout, "table");
 *     strat_print_diagnostics(c, stderr, STRAT_DIAG_TEXT, false);
 *     strat_free(c);
 *
 * or, from memory, with the results as data (examples/embed/embed.c):
 *
 *     strat_load_buffer(c, "inline.strat", text, strlen(text));
 *     if (strat_decide(c) != STRAT_FAILURE && strat_decided(c))
 *         for (size_t i = 0; i < strat_service_count(c); i++) {
 *             strat_decision d;
 *             strat_service_decision(c, i, 0, &d);
 *             printf("%s: %s\n", strat_service_name(c, i), d.outcome);
 *         }
 *     for (size_t i = 0; i < strat_diag_count(c); i++) {
 *         strat_diag_info info;
 *         strat_diag_get(c, i, &info);   // file, range, code, message...
 *     }
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
/* The version of the JSON documents strat writes (check --format json,
 * decide --format json, sensitivity --format json), in each one's
 * top-level "format_version": the minor number grows when fields are
 * added, the major one when a field changes meaning or goes away. */
#define STRAT_JSON_FORMAT_VERSION "1.0"

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
    const char *cache_dir;     /* compiled-code cache; NULL: XDG default,
                                  "": no cache */
    bool werror;               /* warnings count as findings */
    bool verbose;
    bool progress;             /* show progress on stderr for long loads
                                  (the CLI sets it when stderr is a tty) */
    unsigned max_errors;       /* 0: default limit of printed diagnostics */
    unsigned threads;          /* threads for CSV loading and JIT scoring;
                                  0: one per online core */
    bool hash_inputs;          /* decisions will be emitted: hash the inputs
                                  on a thread while a large CSV loads */
    unsigned fmt_width;        /* strat_format's line width; 0: 100 */
    const char *scores;        /* the scores decide computes and writes:
                                  NULL or "all" every score; "" the
                                  strategy's own (not a std/... import's)
                                  and those anything reads; "a,b" those
                                  named (and those the decisions need,
                                  computed and not written) */
    const char *columns;       /* decide's CSV: the columns written, named
                                  as its header names them ("service,
                                  decision,roi"), in that order; NULL:
                                  every column.  Other formats ignore it */
    const strat_lint_setting *lint;   /* check levels, later ones win; they */
    unsigned nlint;                   /* win over the strategy's `lint` block */
    const char *table;         /* the decide table explain looks at, by name;
                                  NULL: the first (decision(s)'s) */
} strat_options;

typedef enum strat_diag_format {
    STRAT_DIAG_TEXT = 0,
    STRAT_DIAG_JSON,
    STRAT_DIAG_SARIF,
    STRAT_DIAG_GITHUB
} strat_diag_format;

typedef struct strat_compilation strat_compilation;

/* Supplies the text of a project file before strat reads it from disk
 * (strat_set_reader).  `path` is the file's absolute path, `.` and `..`
 * resolved by text, inside the project root.  Return the text and set *len,
 * or return NULL to have strat read the file from disk as usual (under the
 * same confinement).  The text is copied before the call returns. */
typedef const char *(*strat_reader_fn)(void *ctx, const char *path, size_t *len);

/* Receives one line of what the library would otherwise have written to
 * stderr (strat_set_log): --verbose timings, CSV progress, JIT notes.  No
 * newline at the end; `kind` is "time", "progress", "progress-end" (clear
 * the progress line), "jit" or "read". */
typedef void (*strat_log_fn)(void *ctx, const char *kind, const char *line);

/* Takes `len` bytes of output (strat_emit_decisions_to, ...); returns 0 on
 * success, anything else to report a write failure. */
typedef int (*strat_write_fn)(void *ctx, const char *data, size_t len);

/* True for an existing calendar date written YYYY-MM-DD. */
bool strat_valid_date(const char *text);

/* alloc may be NULL for malloc/free.  Returns NULL only if the very first
 * allocation fails. */
strat_compilation *strat_new(const strat_allocator *alloc,
                             const strat_options *opts);
void strat_free(strat_compilation *c);

/* Reads the files named (strat files; each once, in the order of their
 * resolved paths) and everything they import.  STRAT_FAILURE when a file
 * named cannot be read. */
strat_status strat_load(strat_compilation *c, const char *const *paths,
                        int npaths);
/* Loads a strategy from memory instead of a file (an editor's unsaved
 * text, a fuzzer's input, a service's request).  `name` stands for the
 * file: diagnostics show it, relative imports are resolved from its
 * directory.  A relative name lies in opts.project_root when that is set,
 * else in the working directory.  When opts.project_root is NULL the
 * name's directory is the project root (if it does not exist on disk,
 * imports can come from the reader only).  `text` (len bytes, need not be NUL-terminated) is
 * copied.  Imports are read through the reader (strat_set_reader) first,
 * then from disk; `std/` ones from the stdlib directory.  Call it, or
 * strat_load, once per compilation.  STRAT_FAILURE when len is over
 * STRAT_MAX_SOURCE_BYTES or the root cannot be used. */
strat_status strat_load_buffer(strat_compilation *c, const char *name,
                               const char *text, size_t len);
/* Sets the reader that supplies imported files' text (see strat_reader_fn);
 * fn NULL: read every file from disk.  Call before loading. */
void strat_set_reader(strat_compilation *c, strat_reader_fn fn, void *ctx);
/* Sets where the library's log lines go (see strat_log_fn); fn NULL (the
 * default): nowhere.  The library itself never writes to stderr. */
void strat_set_log(strat_compilation *c, strat_log_fn fn, void *ctx);
/* The stdlib directory used when opts.stdlib_dir is NULL: $STRAT_STDLIB
 * when set; else the installed one (<prefix>/share/strat/stdlib); else,
 * when that holds no stdlib, the source tree's the library was built from. */
const char *strat_default_stdlib_dir(void);
/* Reads one file under the rule strat_load applies to each file named
 * (inside the project root — opts.project_root, or else the file's own
 * directory — through no symlink leading out of it, a regular file of at
 * most 256 MiB) for a caller that handles its text itself (`strat fmt`).  The text lives as long as c; STRAT_FAILURE with
 * a diagnostic in c when the file is refused or cannot be read. */
strat_status strat_read_file(strat_compilation *c, const char *path,
                             const char **text, size_t *len);
/* A project's entry files: those with a `strategy` block.  A file that
 * has none (a file of roles, services... that a strategy imports) means
 * little alone, and is checked as part of the entries that import it
 * (`strat check FILE`, the language server).  Files are read as text (a
 * `strategy` block is a line starting with `strategy` then `"` or `{`, an
 * import a line starting with `import "...`), each through the reader
 * first (strat_set_reader: an editor's unsaved buffer), else from disk.
 *
 * strat_is_entry_file: true when the file at `path` has a `strategy` block
 * (false when it cannot be read, or is reached through a link). */
bool strat_is_entry_file(strat_compilation *c, const char *path);
/* Every entry under the directory `top` (canonical), skipping hidden
 * directories, build/, node_modules/ and symbolic links (at most 20000
 * .strat files and 20000 directories, 32 levels deep); with `target` (a
 * canonical path), only
 * the entries that import it, directly or through other files under top,
 * by imports that stay inside the project root the entry's own check has
 * (opts.project_root, else the entry's directory).  Imports are resolved
 * by text: nothing outside top is looked at.  *paths: canonical, sorted,
 * living as long as c.  Loads nothing into c, so c may then load one of
 * them.  STRAT_FAILURE when out of memory. */
strat_status strat_find_entries(strat_compilation *c, const char *top, const char *target,
                                const char *const **paths, size_t *n);
/* strat_find_importers: the entries that import `file`, a path as a user
 * gives it, searched under its project's top: opts.project_root, else
 * the nearest directory upward holding .git, else the current directory
 * when it holds the file, else the file's own directory.  None (*n == 0)
 * when the file is not a regular file, is reached through a symbolic link
 * (nothing a link leads to is looked at), or has a `strategy` block: such
 * a file is checked as it is.  *paths as strat_find_entries gives them. */
strat_status strat_find_importers(strat_compilation *c, const char *file,
                                  const char *const **paths, size_t *n);
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

/* strat_emit_decisions through a writer callback instead of a FILE*.
 * STRAT_FAILURE when the writer reported a failure. */
strat_status strat_emit_decisions_to(strat_compilation *c, const char *format,
                                     strat_write_fn write, void *ctx);

/* ---- decisions and scores as data ----------------------------------------
 * Services are numbered 0 .. strat_service_count()-1 in declaration order
 * (imports first), as `strat decide` lists them before ranking.  Strings
 * live as long as c.  Each accessor returns 0, NULL or false for an index
 * out of range, and before the data exists: names after strat_check,
 * decisions and scores after strat_decide (strat_decided true). */

/* The number of services (after strat_check or strat_decide; else 0). */
size_t strat_service_count(const strat_compilation *c);
/* The name of service i, or NULL. */
const char *strat_service_name(const strat_compilation *c, size_t i);
/* The number of decide tables: the unnamed `decide { }` first when there
 * is one, then the named `decide NAME (...) { }` in declaration order;
 * table 0 is the one decision(s) reads. */
size_t strat_table_count(const strat_compilation *c);
/* The name of table t ("decide" for the unnamed one), or NULL. */
const char *strat_table_name(const strat_compilation *c, size_t t);

/* One service's decision in one table. */
typedef struct strat_decision {
    const char *outcome;   /* "invest", "retire", ...; "none" when no arm
                              matched; "error" when a score it needed is
                              not a number */
    const char *file;      /* the decide arm that fired: its file (as shown
                              in diagnostics), or NULL when none fired */
    unsigned line;         /* its 1-based line, 0 when none fired */
    const char *because;   /* the arm's `because` text (its `{...}` filled
                              in for this service), or NULL */
    unsigned rank;         /* 1-based rank in the portfolio */
} strat_decision;

/* Fills *out with service i's decision in table t.  False (and *out
 * zeroed) when i or t is out of range or nothing is decided. */
bool strat_service_decision(const strat_compilation *c, size_t i, size_t t,
                            strat_decision *out);
/* The number of scores, and score s's name (NULL when out of range). */
size_t strat_score_count(const strat_compilation *c);
const char *strat_score_name(const strat_compilation *c, size_t s);
/* Sets *value to score s of service i (NaN when it is not a number).
 * False when i or s is out of range, nothing is decided, or the score was
 * not computed (deciding needed no other scores). */
bool strat_service_score(const strat_compilation *c, size_t i, size_t s,
                         double *value);

/* ---- diagnostics as data --------------------------------------------------- */

typedef enum strat_severity {
    STRAT_SEVERITY_ERROR = 0,
    STRAT_SEVERITY_WARNING,
    STRAT_SEVERITY_INFO,
    STRAT_SEVERITY_NOTE
} strat_severity;

/* A range in a source file; lines and columns are 1-based, columns count
 * UTF-8 characters, the end is exclusive.  file is NULL (and the numbers
 * 0) for a diagnostic about no file in particular. */
typedef struct strat_range {
    const char *file;      /* as shown in diagnostics ("<stdlib>/std/itil.strat") */
    size_t file_index;     /* for strat_file_get; STRAT_NO_FILE when file is NULL */
    unsigned start_line, start_col, end_line, end_col;
    size_t start_byte, end_byte;
} strat_range;

#define STRAT_NO_FILE ((size_t)-1)

/* A source file the compilation read (from disk, the buffer or the
 * reader), for a caller that maps ranges itself (an editor's positions). */
typedef struct strat_file {
    const char *path;      /* as shown in diagnostics */
    const char *real_path; /* absolute (canonical when read from disk) */
    const char *text;      /* its whole text, NUL-terminated */
    size_t len;
    bool is_stdlib;
} strat_file;

/* The number of source files read so far (CSV files included), and file
 * k.  strat_file_get is false when k is out of range. */
size_t strat_file_count(const strat_compilation *c);
bool strat_file_get(const strat_compilation *c, size_t k, strat_file *file);

typedef struct strat_diag_info {
    strat_severity severity;
    const char *code;      /* "S0401" */
    const char *title;     /* the code's title (docs/diagnostics.md) */
    const char *message;
    const char *hint;      /* the `help:` line, or NULL */
    strat_range range;
    size_t nnotes;         /* strat_diag_note 0 .. nnotes-1 */
    size_t nfixes;         /* strat_diag_fix 0 .. nfixes-1 */
} strat_diag_info;

/* A suggested edit: replace the bytes of `range` with `text` (an insertion
 * when the range is empty). */
typedef struct strat_fixit {
    strat_range range;
    const char *text;
    bool machine_applicable;   /* safe to apply without a human reading it */
} strat_fixit;

/* The number of diagnostics gathered so far (every one: not capped by
 * max_errors). */
size_t strat_diag_count(const strat_compilation *c);
/* Fills *info with diagnostic i, in the order strat_print_diagnostics
 * prints them (by file, then position, then the order found).  False when
 * i is out of range or memory ran out.  Strings live as long as c. */
bool strat_diag_get(strat_compilation *c, size_t i, strat_diag_info *info);
/* Note k of diagnostic i: its message and range.  False when out of range. */
bool strat_diag_note(strat_compilation *c, size_t i, size_t k,
                     const char **message, strat_range *range);
/* Fix-it k of diagnostic i.  False when out of range. */
bool strat_diag_fix(strat_compilation *c, size_t i, size_t k, strat_fixit *fix);

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
/* strat_print_diagnostics through a writer callback.  False when the writer
 * reported a failure. */
bool strat_print_diagnostics_to(strat_compilation *c, strat_diag_format fmt,
                                bool color, strat_write_fn write, void *ctx);

/* A fix-it of a diagnostic: replace bytes [start, end) of the file `path`
 * (as named in diagnostics) with `text`; an insertion when start == end.
 * machine_applicable: safe to apply unread (`strat fix` applies only
 * these); the others are suggestions for a person.  `code` is the
 * diagnostic's code. */
typedef struct strat_fix {
    const char *path;
    size_t start, end;
    const char *text;
    bool machine_applicable;
    const char *code;
} strat_fix;

/* The fix-its of the diagnostics gathered so far, in the order the
 * diagnostics were made, on files of the project (none in the stdlib):
 * fills up to `max` of out and returns how many there are (call with
 * max 0 to count).  The strings live as long as c. */
size_t strat_fixes(const strat_compilation *c, strat_fix *out, size_t max);

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

/* `strat sql` (sql.c): the scores, decide table, approvers and rank as one
 * SQL query over the inventory table, for `dialect` "postgres", "duckdb"
 * or "spark"; `table` is the table the loaded services are read from (NULL:
 * the load's file name without extension), `view` when not NULL makes it
 * CREATE OR REPLACE VIEW view AS ...; `row_order` when not NULL is the
 * table's column that numbers its rows in the CSV's order (ties in the
 * rank follow it; else the engine's physical order: DuckDB's rowid,
 * PostgreSQL's ctid, Spark's monotonically_increasing_id()).  STRAT_FAILURE for an unknown
 * dialect or a table or view name other than letters, digits, `_` and `.`;
 * STRAT_FINDINGS, writing nothing, when nothing was decided or part of the
 * strategy cannot be translated (S13xx diagnostics).  docs/sql.md. */
typedef struct strat_sql_options {
    const char *dialect;
    const char *table;
    const char *view;
    const char *row_order;
} strat_sql_options;

strat_status strat_sql(strat_compilation *c, FILE *out, const strat_sql_options *opts);
/* The first option strat_sql would refuse, by its field name ("dialect",
 * "table", "view", "row_order"), or NULL when all are fine: a dialect of
 * the three, names of letters, digits, `_` and `.` (no `.` in row_order). */
const char *strat_sql_bad_option(const strat_sql_options *opts);

/* ---- show-back and charge-back ------------------------------------------ */

/* Decides, then writes the show-back report (docs/language.md, "Show-back
 * and charge-back"): customer x service with quantity, rate, direct,
 * shared, total and share, the customers' totals, the unallocated lines
 * and the reconciliation.  format: "table" (NULL), "csv", "json" or "md".
 * STRAT_FAILURE for another format; else the status of the strategy (the
 * report is written whatever its findings, empty when show-back is not in
 * use or errors stopped the allocation). */
strat_status strat_showback(strat_compilation *c, FILE *out, const char *format);
/* `strat forecast` (demand.c): per service with a demand history, its
 * length, method, the forecast `horizon` periods after its last one, and
 * the back-test error (MASE against seasonal naive) of the method fitted
 * without the last `holdout` periods; `format` "table" (NULL), "csv" or
 * "json".  STRAT_FAILURE for a horizon or holdout outside 1..1000 or an
 * unknown format; STRAT_FINDINGS, writing nothing, when the strategy has
 * no `load demand` block or errors that stop it.  docs/language.md §12.1. */
typedef struct strat_forecast_options {
    unsigned horizon;
    unsigned holdout;
    const char *format;
} strat_forecast_options;

strat_status strat_forecast(strat_compilation *c, FILE *out,
                            const strat_forecast_options *opts);

#ifdef __cplusplus
}
#endif
#endif
