/*
 * cmd_diff.c — `strat diff OLD_FILES... -- NEW_FILES...`.
 *
 * Takes the options main.c parsed (o->files: the old version, o->files2:
 * the new one); compiles and decides each side on its own (same --today,
 * --scenario, --stdlib), prints each side's diagnostics on stderr under a
 * heading, and writes strat_diff's report (text or md) to stdout or to -o
 * FILE atomically.
 *
 * Exit codes, for CI gating a pull request:
 *   0  both versions decided, and no decision changed;
 *   1  some decision changed (added, removed or moved) — or the NEW
 *      version has errors (or warnings, with --werror), or either version
 *      has errors that leave nothing decided, so there is nothing to
 *      compare (the diagnostics say why; no report is written);
 *   2  usage, I/O or load failure of either version (a file that cannot
 *      be read, an import that cannot be found), or out of memory.
 * Findings of the OLD version that still let it decide (a broken rule, a
 * violated limit) are printed but do not change the exit code: a review
 * is about what the change leaves behind.
 */
#include <string.h>

#include "commands.h"

static void print_side(strat_compilation *c, const CliOptions *o, const char *which)
{
    unsigned e = strat_error_count(c), w = strat_warning_count(c);
    if (!e && !w)
        return;
    fprintf(stderr, "strat: diagnostics of the %s version (%u error%s, %u warning%s):\n",
            which, e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
}

int cmd_diff(CliOptions *o)
{
    strat_status st_old, st_new;
    strat_compilation *old = cli_compile(o, o->files, o->nfiles, &st_old);
    if (!old)
        return STRAT_FAILURE;
    strat_compilation *nw = cli_compile(o, o->files2, o->nfiles2, &st_new);
    if (!nw) {
        strat_free(old);
        return STRAT_FAILURE;
    }
    print_side(old, o, "old");
    print_side(nw, o, "new");
    int rc = STRAT_OK;
    if (st_old == STRAT_FAILURE || st_new == STRAT_FAILURE) {
        fprintf(stderr, "strat: cannot diff: the %s version could not be loaded\n",
                st_old == STRAT_FAILURE && st_new == STRAT_FAILURE ? "old and the new"
                : st_old == STRAT_FAILURE                          ? "old"
                                                                   : "new");
        rc = STRAT_FAILURE;
        goto done;
    }
    AtomicFile out;
    if (!atomic_open(&out, o->quiet ? NULL : o->output)) {
        rc = STRAT_FAILURE;
        goto done;
    }
    FILE *fp = out.fp;
    FILE *sink = NULL;
    if (o->quiet) {
        /* only the exit code: the report goes nowhere */
        sink = fopen("/dev/null", "w");
        fp = sink ? sink : out.fp;
    }
    unsigned changes = 0;
    strat_status st = strat_diff(old, nw, fp, o->format, &changes);
    if (sink)
        fclose(sink);
    if (st != STRAT_OK) {
        atomic_abort(&out);
        if (st == STRAT_FINDINGS) {
            /* errors stop deciding only when they block it (an expired
             * waiver does not): ask which side was decided */
            bool o_bad = !strat_decided(old) && strat_error_count(old) > 0,
                 n_bad = !strat_decided(nw) && strat_error_count(nw) > 0;
            fprintf(stderr, "strat: cannot diff: %s\n",
                    o_bad && n_bad ? "both versions have errors, so nothing was decided"
                    : o_bad        ? "the old version has errors, so nothing was decided"
                    : n_bad        ? "the new version has errors, so nothing was decided"
                                   : "one of the versions has no decide block");
            rc = STRAT_FINDINGS;
        } else {
            if (strat_out_of_memory(old) || strat_out_of_memory(nw))
                fputs("strat: out of memory\n", stderr);
            rc = STRAT_FAILURE;
        }
        goto done;
    }
    if (!atomic_commit(&out)) {
        rc = STRAT_FAILURE;
        goto done;
    }
    if (changes || st_new != STRAT_OK || (o->lib.werror && strat_warning_count(nw)))
        rc = STRAT_FINDINGS;
done:
    strat_free(old);
    strat_free(nw);
    return rc;
}
