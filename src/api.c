/*
 * api.c — the library's entry points (include/strat/strat.h), and the one
 * place where the stages are put in order.
 *
 * Every strat_* function is here.  Each arms the out-of-memory jump
 * (STRAT_GUARD: an allocation failure anywhere below returns here), calls
 * into the stages, and turns what they did into a strat_status.  No stage
 * calls another stage: the order is run_stages' alone, and reads
 *
 *   load -> resolve -> CSV -> typecheck -> consistency -> decide
 *
 * then each output reads what decide left.  A stage runs once per
 * compilation, and only when the stages before it have run; decide runs
 * unless an error blocks it (diag_codes.def: an error that leaves the
 * program unsafe or meaningless to run; findings about the portfolio,
 * such as an expired waiver or a broken rule, do not).
 * docs/architecture.md draws the layers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "consistency.h"
#include "csv_load.h"
#include "dates.h"
#include "decide.h"
#include "demand.h"
#include "diag.h"
#include "diff.h"
#include "digest.h"
#include "emit.h"
#include "entries.h"
#include "eval.h"
#include "explain.h"
#include "fmt.h"
#include "graph.h"
#include "intern.h"
#include "jit.h"
#include "load.h"
#include "program.h"
#include "resolve.h"
#include "report.h"
#include "sensitivity.h"
#include "showback.h"
#include "source.h"
#include "sql.h"
#include "typecheck.h"

/* ---- the pipeline --------------------------------------------------------- */

typedef enum Upto { UPTO_CHECK, UPTO_DECIDE } Upto;

/* The stages after loading, each once, as far as `upto`. */
static void run_stages(Compilation *c, Upto upto)
{
    if (!c->program) {
        resolve_names(c);        /* every name first: references point forward */
        double t0 = now_ms();
        csv_load_rows(c);        /* rows before values: a declaration may name one */
        verbose_time(c, "csv", t0);
        t0 = now_ms();
        resolve_values(c);
        csv_resolve_refs(c);
        resolve_defaults(c);
        check_expressions(c);
        report_check(c);
        check_consistency(c);
        showback_run(c);         /* the allocation scores read (allocated_cost) */
        load_drop_mapped_pages(c);   /* the CSV text is read no more, as a rule */
        verbose_time(c, "check", t0);
    }
    if (upto == UPTO_DECIDE && !c->decide_ran) {
        c->decide_ran = true;
        if (!diag_blocked(c)) {
            double t0 = now_ms();
            decide_run(c);
            verbose_time(c, "decide", t0);
        }
    }
}

static strat_status status_of(const Compilation *c)
{
    return c->nerrors ? STRAT_FINDINGS : STRAT_OK;
}

int strat_lint_check(const char *check)
{
    int k = diag_find_check(check, strlen(check));
    return k < 0 ? 1 : diag_lintable((DiagCode)k) ? 0 : 2;
}

strat_status strat_load(strat_compilation *c, const char *const *paths, int npaths)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    return load_files(c, paths, npaths);
}

strat_status strat_load_buffer(strat_compilation *c, const char *name, const char *text,
                               size_t len)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    return load_buffer(c, name, text ? text : "", text ? len : 0);
}

bool strat_is_entry_file(strat_compilation *c, const char *path)
{
    STRAT_GUARD(c, false);
    return entries_has_strategy(c, path);
}

strat_status strat_find_entries(strat_compilation *c, const char *top, const char *target,
                                const char *const **paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    STRAT_GUARD(c, STRAT_FAILURE);
    return entries_find(c, top, target, paths, n);
}

strat_status strat_find_importers(strat_compilation *c, const char *file,
                                  const char *const **paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    STRAT_GUARD(c, STRAT_FAILURE);
    return entries_importing(c, file, paths, n);
}

void strat_set_reader(strat_compilation *c, strat_reader_fn fn, void *ctx)
{
    c->reader = fn;
    c->reader_ctx = ctx;
}

void strat_set_log(strat_compilation *c, strat_log_fn fn, void *ctx)
{
    c->log = fn;
    c->log_ctx = ctx;
}

void strat_set_test_knobs(strat_compilation *c, const strat_test_knobs *knobs)
{
    c->test = *knobs;
}

const char *strat_default_stdlib_dir(void)
{
    return load_default_stdlib();
}

strat_status strat_check(strat_compilation *c)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_CHECK);
    return status_of(c);
}

strat_status strat_decide(strat_compilation *c)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    return status_of(c);
}

bool strat_decided(const strat_compilation *c)
{
    return c->eval && c->results && c->results->decided;
}

/* ---- outputs: each decides first if that has not happened ------------------ */

strat_status strat_emit_decisions(strat_compilation *c, FILE *out, const char *format)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    double t0 = now_ms();
    strat_status st = emit_decisions(c, out, format);
    verbose_time(c, "emit", t0);
    return st;
}

strat_status strat_explain(strat_compilation *c, FILE *out, const char *service)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    return explain_service(c, out, service);
}

strat_status strat_test(strat_compilation *c, FILE *out, unsigned *passed,
                        unsigned *failed)
{
    *passed = *failed = 0;
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    if (!c->eval)
        return STRAT_FINDINGS;
    decide_tests(c, out, passed, failed);
    return *failed ? STRAT_FINDINGS : STRAT_OK;
}

strat_status strat_sensitivity(strat_compilation *c, FILE *out,
                               const strat_sensitivity_options *opts)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    return sensitivity_run(c, out, opts);
}

strat_status strat_graph(strat_compilation *c, FILE *out, const char *format)
{
    if (format && strcmp(format, "mermaid") != 0 && strcmp(format, "dot") != 0)
        return STRAT_FAILURE;
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    return graph_emit(c, out, format && strcmp(format, "mermaid") == 0);
}

const char *strat_sql_bad_option(const strat_sql_options *opts)
{
    const char *d = opts->dialect;
    if (!d || (strcmp(d, "postgres") != 0 && strcmp(d, "duckdb") != 0 &&
               strcmp(d, "spark") != 0))
        return "dialect";
    if (opts->table && !sql_name_ok(opts->table))
        return "table";
    if (opts->view && !sql_name_ok(opts->view))
        return "view";
    if (opts->row_order && (!sql_name_ok(opts->row_order) || strchr(opts->row_order, '.')))
        return "row_order";
    return NULL;
}

strat_status strat_sql(strat_compilation *c, FILE *out, const strat_sql_options *opts)
{
    SqlOptions so = {SQL_POSTGRES, NULL, NULL, NULL};
    if (!opts || strat_sql_bad_option(opts))
        return STRAT_FAILURE;
    const char *d = opts->dialect;
    so.dialect = strcmp(d, "postgres") == 0 ? SQL_POSTGRES
               : strcmp(d, "duckdb") == 0   ? SQL_DUCKDB : SQL_SPARK;
    so.table = opts->table;
    so.view = opts->view;
    so.row_order = opts->row_order;
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    return sql_emit(c, out, &so);
}

strat_status strat_showback(strat_compilation *c, FILE *out, const char *format)
{
    const ShowbackFormat f = !format || strcmp(format, "table") == 0 ? SHOWBACK_TABLE
                           : strcmp(format, "csv") == 0              ? SHOWBACK_CSV
                           : strcmp(format, "json") == 0             ? SHOWBACK_JSON
                           : strcmp(format, "md") == 0               ? SHOWBACK_MARKDOWN
                                                                     : (ShowbackFormat)-1;
    if ((int)f < 0)
        return STRAT_FAILURE;
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_DECIDE);
    showback_emit(c, out, f);
    return status_of(c);
}

strat_status strat_forecast(strat_compilation *c, FILE *out, const strat_forecast_options *opts)
{
    if (!opts || opts->horizon < 1 || opts->horizon > FORECAST_MAX_PERIOD ||
        opts->holdout < 1 || opts->holdout > FORECAST_MAX_PERIOD ||
        (opts->format && strcmp(opts->format, "table") != 0 &&
         strcmp(opts->format, "csv") != 0 && strcmp(opts->format, "json") != 0))
        return STRAT_FAILURE;
    STRAT_GUARD(c, STRAT_FAILURE);
    run_stages(c, UPTO_CHECK);
    return demand_report(c, out, opts);
}

strat_status strat_diff(strat_compilation *old, strat_compilation *new_, FILE *out,
                        const char *format, unsigned *changes)
{
    if (changes)
        *changes = 0;
    if (format && strcmp(format, "md") != 0 && strcmp(format, "text") != 0)
        return STRAT_FAILURE;
    /* text is built in both arenas: either may run out */
    STRAT_GUARD(old, STRAT_FAILURE);
    STRAT_GUARD(new_, STRAT_FAILURE);
    run_stages(old, UPTO_DECIDE);
    run_stages(new_, UPTO_DECIDE);
    return diff_report(old, new_, out, format && strcmp(format, "md") == 0, changes);
}

strat_status strat_format(strat_compilation *c, const char *path, const char *text,
                          size_t len, FILE *out)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    return fmt_source(c, path, text, len, out);
}

strat_status strat_read_file(strat_compilation *c, const char *path,
                             const char **text, size_t *len)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    return load_read_file(c, path, text, len);
}

/* ---- output through a writer callback --------------------------------------- */

/* A FILE* over the caller's writer (glibc's fopencookie), so that every
 * output keeps one FILE*-based implementation. */
typedef struct WriterCookie {
    strat_write_fn write;
    void *ctx;
    bool failed;
} WriterCookie;

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
    WriterCookie *w = cookie;
    if (w->failed || w->write(w->ctx, buf, size) != 0) {
        w->failed = true;
        return -1;
    }
    return (ssize_t)size;
}

static FILE *writer_open(WriterCookie *w)
{
    cookie_io_functions_t io = {NULL, cookie_write, NULL, NULL};
    return fopencookie(w, "w", io);
}

/* Closes the writer's FILE*: false when anything failed to reach it. */
static bool writer_close(FILE *f, const WriterCookie *w)
{
    bool closed = fclose(f) == 0;
    return closed && !w->failed;
}

strat_status strat_emit_decisions_to(strat_compilation *c, const char *format,
                                     strat_write_fn write, void *ctx)
{
    WriterCookie w = {write, ctx, false};
    FILE *f = writer_open(&w);
    if (!f)
        return STRAT_FAILURE;
    strat_status st = strat_emit_decisions(c, f, format);
    if (!writer_close(f, &w))
        return STRAT_FAILURE;
    return st;
}

bool strat_print_diagnostics_to(strat_compilation *c, strat_diag_format fmt, bool color,
                                strat_write_fn write, void *ctx)
{
    WriterCookie w = {write, ctx, false};
    FILE *f = writer_open(&w);
    if (!f)
        return false;
    diag_print(c, f, fmt, color);
    return writer_close(f, &w);
}

/* ---- decisions and scores as data ------------------------------------------- */

/* The service table, once checking has built it. */
static const KindTable *services_of(const Compilation *c)
{
    return c->program ? &c->program->kinds[EK_SERVICE] : NULL;
}

size_t strat_service_count(const strat_compilation *c)
{
    const KindTable *t = services_of(c);
    return t ? t->count : 0;
}

const char *strat_service_name(const strat_compilation *c, size_t i)
{
    const KindTable *t = services_of(c);
    return t && i < t->count ? t->names[i] : NULL;
}

size_t strat_table_count(const strat_compilation *c)
{
    return c->program ? c->program->tables.len : 0;
}

const char *strat_table_name(const strat_compilation *c, size_t t)
{
    if (t >= strat_table_count(c))
        return NULL;
    const DecideTable *table = program_table(c->program, (uint32_t)t);
    return table->name ? table->name : "decide";
}

bool strat_service_decision(const strat_compilation *c, size_t i, size_t t,
                            strat_decision *out)
{
    memset(out, 0, sizeof *out);
    if (!strat_decided(c) || t >= strat_table_count(c) || i >= c->results->nservices)
        return false;
    const Results *res = c->results;
    const DecideTable *table = program_table(c->program, (uint32_t)t);
    int d = (t ? res->decisions[t] : res->decision)[i];
    const Arm *a = table_arm_at(table, (t ? res->arms[t] : res->arm)[i]);
    out->outcome = res->failed[i] ? "error" : outcome_name(c->program, d);
    if (a && a->loc.file) {
        /* source_linecol builds a line table on first use: allocation in a
         * const accessor is avoided by counting the lines here */
        const Source *src = c->sources.items[a->loc.file - 1];
        unsigned line = 1;
        for (uint32_t k = 0; k < a->loc.start && k < src->len; k++)
            line += src->text[k] == '\n';
        out->file = src->path;
        out->line = line;
    }
    out->because = result_because(c->program, res, (uint32_t)t, (uint32_t)i);
    out->rank = result_rank(res, i);
    return true;
}

size_t strat_score_count(const strat_compilation *c)
{
    return c->program ? c->program->scores.len : 0;
}

const char *strat_score_name(const strat_compilation *c, size_t s)
{
    if (s >= strat_score_count(c))
        return NULL;
    const Score *sc = c->program->scores.items[s];
    return sc->name;
}

bool strat_service_score(const strat_compilation *c, size_t i, size_t s, double *value)
{
    if (!strat_decided(c) || s >= strat_score_count(c) || i >= c->results->nservices)
        return false;
    const Results *res = c->results;
    const Score *sc = c->program->scores.items[s];
    if (sc->index >= res->nscores || !res->score_ready[sc->index])
        return false;
    *value = res->scores[(size_t)sc->index * res->nservices + i];
    return true;
}

/* ---- diagnostics as data ------------------------------------------------------ */

/* The diagnostics sorted as printed, re-sorted when more have come since. */
static Diag **diag_view(Compilation *c)
{
    if (!c->diag_view || c->diag_view_len != c->diags.len) {
        c->diag_view = diag_sorted(c);
        c->diag_view_len = c->diags.len;
    }
    return c->diag_view;
}

static strat_range range_of(Compilation *c, Loc l)
{
    strat_range r = {NULL, STRAT_NO_FILE, 0, 0, 0, 0, 0, 0};
    const Source *src = source_get(c, l.file);
    if (!src)
        return r;
    LineCol a = source_linecol(c, l.file, l.start);
    LineCol b = source_linecol(c, l.file, l.end);
    r = (strat_range){src->path, l.file - 1, a.line, a.col, b.line, b.col, l.start, l.end};
    return r;
}

size_t strat_file_count(const strat_compilation *c)
{
    return c->sources.len;
}

bool strat_file_get(const strat_compilation *c, size_t k, strat_file *file)
{
    memset(file, 0, sizeof *file);
    if (k >= c->sources.len)
        return false;
    const Source *s = c->sources.items[k];
    *file = (strat_file){s->path, s->real, s->text, s->len, s->is_stdlib};
    return true;
}

size_t strat_diag_count(const strat_compilation *c)
{
    return c->diags.len;
}

bool strat_diag_get(strat_compilation *c, size_t i, strat_diag_info *info)
{
    memset(info, 0, sizeof *info);
    if (i >= c->diags.len)
        return false;
    STRAT_GUARD(c, false);
    const Diag *d = diag_view(c)[i];
    const DiagInfo *di = diag_info(d->code);
    info->severity = (strat_severity)d->severity;
    info->code = di->code;
    info->title = di->title;
    info->message = d->msg;
    info->hint = d->hint;
    info->range = range_of(c, d->loc);
    for (const DiagNote *n = d->notes; n; n = n->next)
        info->nnotes++;
    for (const DiagFix *f = d->fixes; f; f = f->next)
        info->nfixes++;
    return true;
}

bool strat_diag_note(strat_compilation *c, size_t i, size_t k, const char **message,
                     strat_range *range)
{
    if (i >= c->diags.len)
        return false;
    STRAT_GUARD(c, false);
    const DiagNote *n = diag_view(c)[i]->notes;
    for (size_t j = 0; n && j < k; j++)   /* (k itself is not changed after setjmp) */
        n = n->next;
    if (!n)
        return false;
    if (message)
        *message = n->msg;
    if (range)
        *range = range_of(c, n->loc);
    return true;
}

bool strat_diag_fix(strat_compilation *c, size_t i, size_t k, strat_fixit *fix)
{
    memset(fix, 0, sizeof *fix);
    if (i >= c->diags.len)
        return false;
    STRAT_GUARD(c, false);
    const DiagFix *f = diag_view(c)[i]->fixes;
    for (size_t j = 0; f && j < k; j++)
        f = f->next;
    if (!f)
        return false;
    fix->range = range_of(c, f->loc);
    fix->text = f->text;
    fix->machine_applicable = f->machine_applicable;
    return true;
}

/* ---- diagnostics ------------------------------------------------------------ */

void strat_print_diagnostics(strat_compilation *c, FILE *out,
                             strat_diag_format fmt, bool color)
{
    diag_print(c, out, fmt, color);   /* (arms its own jump) */
}

bool strat_out_of_memory(const strat_compilation *c)
{
    return c->oom_happened;
}

unsigned strat_error_count(const strat_compilation *c)
{
    return c->nerrors;
}

unsigned strat_warning_count(const strat_compilation *c)
{
    return c->nwarnings;
}

size_t strat_fixes(const strat_compilation *c, strat_fix *out, size_t max)
{
    return diag_fixes(c, out, max);
}

bool strat_valid_date(const char *text)
{
    int32_t days;
    return date_parse_iso(text, &days);
}

/* ---- a compilation's life ----------------------------------------------------- */

static void *default_alloc(void *ud, void *ptr, size_t old, size_t size)
{
    (void)ud;
    (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

strat_compilation *strat_new(const strat_allocator *alloc_in,
                             const strat_options *opts)
{
    const strat_allocator a =
        alloc_in ? *alloc_in : (strat_allocator){default_alloc, NULL};
    Compilation *c = a.fn(a.ud, NULL, 0, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->root_fd = c->stdlib_fd = -1;
    c->alloc = a;
    if (opts)
        c->opts = *opts;
    c->oom = &c->oom_storage;
    arena_init(&c->arena, &c->alloc, c->oom);
    c->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!c->c_locale) {
        a.fn(a.ud, c, sizeof *c, 0);
        return NULL;
    }
    if (setjmp(c->oom_storage)) {
        strat_free(c);
        return NULL;
    }
    intern_init_names(c);
    return c;
}

void strat_free(strat_compilation *c)
{
    if (!c)
        return;
    digest_join(c);   /* it reads the sources */
    jit_release(c);
    load_release(c);
    arena_free_all(&c->arena);
    freelocale(c->c_locale);
    strat_allocator a = c->alloc;
    a.fn(a.ud, c, sizeof *c, 0);
}
