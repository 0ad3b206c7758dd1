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
#include <stdlib.h>
#include <string.h>

#include "consistency.h"
#include "csv_load.h"
#include "dates.h"
#include "decide.h"
#include "diag.h"
#include "diff.h"
#include "digest.h"
#include "emit.h"
#include "explain.h"
#include "fmt.h"
#include "graph.h"
#include "intern.h"
#include "jit.h"
#include "load.h"
#include "resolve.h"
#include "sensitivity.h"
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
        check_consistency(c);
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
    return emit_decisions(c, out, format);
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
