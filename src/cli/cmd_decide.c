/*
 * cmd_decide.c — `strat decide`, `strat test`, `strat explain` and
 * `strat sensitivity`: the commands that run the decision pipeline and
 * print what it decided.
 */
#include <string.h>

#include "commands.h"

/* Compiles; on findings prints them and returns NULL with *rc set.  With
 * print_now false a clean compilation's warnings wait for the caller. */
static strat_compilation *compile_for_run(CliOptions *o, int *rc, bool print_now)
{
    strat_status st;
    strat_compilation *c = cli_compile(o, o->files, o->nfiles, &st);
    if (!c) {
        *rc = STRAT_FAILURE;
        return NULL;
    }
    if (print_now || st == STRAT_FAILURE)
        cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    if (st == STRAT_FAILURE) {
        strat_free(c);
        *rc = st;
        return NULL;
    }
    /* findings (a broken rule, a violated limit) still leave decisions to
     * show; errors in the strategy itself leave none, which the command
     * finds out from the library */
    *rc = st != STRAT_OK || (o->lib.werror && strat_warning_count(c)) ? STRAT_FINDINGS
                                                                       : STRAT_OK;
    return c;
}

/* Runs emit into -o FILE (atomically) or stdout; the exit code. */
static int emit_output(CliOptions *o,
                       strat_status (*emit)(strat_compilation *, FILE *, CliOptions *))
{
    int rc;
    strat_compilation *c = compile_for_run(o, &rc, false);
    if (!c)
        return rc;
    AtomicFile out;
    if (!atomic_open(&out, o->output)) {
        strat_free(c);
        return STRAT_FAILURE;
    }
    strat_status st = emit(c, out.fp, o);
    if (st == STRAT_OK) {
        if (!atomic_commit(&out))
            rc = STRAT_FAILURE;
    } else {
        atomic_abort(&out);
        rc = st == STRAT_FAILURE ? STRAT_FAILURE : STRAT_FINDINGS;
        if (strat_out_of_memory(c))
            fputs("strat: out of memory\n", stderr);
    }
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    strat_free(c);
    return rc;
}

static strat_status emit_decisions(strat_compilation *c, FILE *out, CliOptions *o)
{
    return strat_emit_decisions(c, out, o->format);
}

int cmd_decide(CliOptions *o)
{
    /* "": compute and write the strategy's own scores and those read, not
     * every score a std/... import brings (strat.h) */
    if (!o->lib.scores)
        o->lib.scores = "";
    return emit_output(o, emit_decisions);
}

int cmd_test(CliOptions *o)
{
    int rc;
    strat_compilation *c = compile_for_run(o, &rc, false);
    if (!c) {
        printf("0 passed, 0 failed\n");
        return rc;
    }
    unsigned passed, failed;
    fflush(stdout);
    strat_status st = strat_test(c, o->quiet ? NULL : stdout, &passed, &failed);
    if (strat_out_of_memory(c))
        fputs("strat: out of memory\n", stderr);
    /* warnings, and failures as diagnostics at each expectation */
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    fflush(stderr);
    printf("%u passed, %u failed\n", passed, failed);
    strat_free(c);
    if (st == STRAT_FAILURE)
        return STRAT_FAILURE;
    return failed ? STRAT_FINDINGS : rc;
}

int cmd_explain(CliOptions *o)
{
    int rc;
    strat_compilation *c = compile_for_run(o, &rc, false);
    if (!c)
        return rc;
    strat_status st = strat_explain(c, stdout, o->subject);
    if (st == STRAT_FAILURE)
        rc = STRAT_FAILURE;
    if (strat_out_of_memory(c))
        fputs("strat: out of memory\n", stderr);
    else if (st == STRAT_FINDINGS)
        rc = STRAT_FINDINGS;
    fflush(stdout);
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    strat_free(c);
    return rc;
}

static strat_status emit_sensitivity(strat_compilation *c, FILE *out, CliOptions *o)
{
    o->sens.format = o->format;
    return strat_sensitivity(c, out, &o->sens);
}

int cmd_sensitivity(CliOptions *o)
{
    return emit_output(o, emit_sensitivity);
}
