/*
 * cmd_fix.c — `strat fix FILES... [--diff]`: check the strategy, apply the
 * machine-applicable fix-its of its diagnostics (strat_fixes) to the files
 * they are in, then check again and print what is left.
 *
 * Takes the files `check` takes; gives each changed file rewritten through
 * an AtomicFile (cli.c, as `strat fmt` writes), or with --diff a unified
 * diff of each on stdout (cli_unified_diff, cmd_fmt.c) and nothing
 * written.  Fixes are taken in the order their diagnostics were made; one
 * that overlaps a fix already taken (or inserts at the same place) is
 * skipped, and a note says to run `strat fix` again.  Files of the stdlib
 * and CSV files are never changed (strat_fixes gives none in them).
 * Exit: 0 when the fixed strategy checks clean (--diff: nothing to fix),
 * 1 when problems remain (--diff: something to fix), 2 on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

/* One file's fixes, taken: sorted by start before they are applied. */
static int fix_cmp(const void *pa, const void *pb)
{
    const strat_fix *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->end > b->end) - (a->end < b->end);
}

static bool overlaps(const strat_fix *a, const strat_fix *b)
{
    if (a->start == b->start)
        return true;   /* two edits at one place: the order would be a guess */
    return a->start < b->end && b->start < a->end;
}

/* Applies `fixes` (sorted, disjoint) to path; 0, or 2 on failure. */
static int fix_file(CliOptions *o, const char *path, strat_fix *fixes, size_t n)
{
    strat_compilation *c = strat_new(cli_allocator(o), &o->lib);
    if (!c) {
        fputs("strat: out of memory\n", stderr);
        return STRAT_FAILURE;
    }
    const char *text;
    size_t len;
    if (strat_read_file(c, path, &text, &len) != STRAT_OK) {
        if (strat_out_of_memory(c))
            fputs("strat: out of memory\n", stderr);
        cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
        strat_free(c);
        return STRAT_FAILURE;
    }
    size_t cap = len + 1;
    for (size_t i = 0; i < n; i++)
        cap += strlen(fixes[i].text);
    char *out = malloc(cap);
    if (!out) {
        fputs("strat: out of memory\n", stderr);
        strat_free(c);
        return STRAT_FAILURE;
    }
    size_t olen = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        if (fixes[i].end > len || fixes[i].start < at) {
            fprintf(stderr, "strat: `%s` changed while it was checked; nothing written\n", path);
            free(out);
            strat_free(c);
            return STRAT_FAILURE;
        }
        memcpy(out + olen, text + at, fixes[i].start - at);
        olen += fixes[i].start - at;
        size_t tl = strlen(fixes[i].text);
        memcpy(out + olen, fixes[i].text, tl);
        olen += tl;
        at = fixes[i].end;
    }
    memcpy(out + olen, text + at, len - at);
    olen += len - at;
    int rc = 0;
    if (o->check_only) {
        cli_unified_diff(stdout, path, text, len, out, olen);
    } else {
        AtomicFile af;
        if (!atomic_open(&af, path)) {
            rc = STRAT_FAILURE;
        } else {
            fwrite(out, 1, olen, af.fp);
            rc = atomic_commit(&af) ? 0 : STRAT_FAILURE;
            if (rc == 0 && !o->quiet)
                fprintf(stderr, "fixed %s (%zu fix%s)\n", path, n, n == 1 ? "" : "es");
        }
    }
    free(out);
    strat_free(c);
    return rc;
}

int cmd_fix(CliOptions *o)
{
    strat_status st;
    strat_compilation *c = cli_compile(o, o->files, o->nfiles, &st);
    if (!c)
        return STRAT_FAILURE;
    size_t n = strat_fixes(c, NULL, 0);
    strat_fix *all = calloc(n + 1, sizeof *all);
    strat_fix *taken = calloc(n + 1, sizeof *taken);
    if (!all || !taken) {
        fputs("strat: out of memory\n", stderr);
        free(all);
        free(taken);
        strat_free(c);
        return STRAT_FAILURE;
    }
    strat_fixes(c, all, n);
    /* the first fix of each place wins, in the order the diagnostics were
     * made; identical fixes (one mistake seen twice) count once */
    size_t ntaken = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (!all[i].machine_applicable)
            continue;
        bool clash = false, same = false;
        for (size_t j = 0; j < ntaken && !clash; j++) {
            if (strcmp(taken[j].path, all[i].path) != 0 || !overlaps(&taken[j], &all[i]))
                continue;
            same = taken[j].start == all[i].start && taken[j].end == all[i].end &&
                   strcmp(taken[j].text, all[i].text) == 0;
            clash = true;
        }
        if (!clash)
            taken[ntaken++] = all[i];
        else if (!same)
            skipped++;
    }
    int rc = 0;
    bool changed = ntaken > 0;
    /* file by file, in the order first met */
    for (size_t i = 0; i < ntaken && rc != STRAT_FAILURE; i++) {
        if (!taken[i].path)
            continue;
        const char *path = taken[i].path;
        size_t k = 0;
        strat_fix *group = all;   /* reused: the fixes of this file */
        for (size_t j = i; j < ntaken; j++)
            if (taken[j].path && strcmp(taken[j].path, path) == 0) {
                group[k++] = taken[j];
                taken[j].path = NULL;
            }
        qsort(group, k, sizeof *group, fix_cmp);
        rc = fix_file(o, path, group, k);
    }
    if (skipped && rc != STRAT_FAILURE)
        fprintf(stderr, "strat: note: %zu fix%s overlapped one applied and %s skipped: run "
                        "`strat fix` again\n", skipped, skipped == 1 ? "" : "es",
                skipped == 1 ? "was" : "were");
    free(all);
    free(taken);
    if (rc == STRAT_FAILURE) {
        strat_free(c);
        return STRAT_FAILURE;
    }
    if (o->check_only) {
        strat_free(c);
        return changed ? STRAT_FINDINGS : 0;
    }
    if (changed) {
        /* what is left, as `strat check` would say it */
        strat_free(c);
        c = cli_compile(o, o->files, o->nfiles, &st);
        if (!c)
            return STRAT_FAILURE;
    }
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    if (st == STRAT_OK && o->lib.werror && strat_warning_count(c) > 0)
        st = STRAT_FINDINGS;
    strat_free(c);
    return st;
}
