/*
 * fuzz_common.h — what the three libFuzzer targets share: a private temporary
 * project directory per process, writing the input into it, and the options
 * every fuzzed compilation uses (interpreter only, no code cache, a pinned
 * date, the repository's stdlib).
 *
 * The input goes through a real file because strat_load takes paths: that
 * way the fuzzer exercises the same reading, import and root checks as the
 * command line.  Build and run with tests/fuzz/run.sh.
 */
#ifndef STRAT_FUZZ_COMMON_H
#define STRAT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strat/strat.h"

#ifndef FUZZ_STDLIB_DIR
#define FUZZ_STDLIB_DIR "stdlib"
#endif

static char fuzz_dir[256];
static FILE *fuzz_null;

static void fuzz_cleanup(void)
{
    char path[300];
    static const char *const names[] = {"in.strat", "in.csv", "main.strat"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, names[i]);
        unlink(path);
    }
    rmdir(fuzz_dir);
}

/* Creates the process's project directory (once). */
static void fuzz_setup(void)
{
    if (fuzz_dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/strat-fuzz-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("mkdtemp");
        abort();
    }
    fuzz_null = fopen("/dev/null", "w");
    if (!fuzz_null)
        abort();
    atexit(fuzz_cleanup);
}

/* Writes data to NAME in the project directory; returns its path. */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[2][300];
    static int which;
    char *p = path[which ^= 1];
    snprintf(p, sizeof path[0], "%s/%s", fuzz_dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(p);
        abort();
    }
    return p;
}

static strat_options fuzz_options(void)
{
    strat_options o;
    memset(&o, 0, sizeof o);
    o.stdlib_dir = FUZZ_STDLIB_DIR;
    o.project_root = fuzz_dir;
    o.today = "2027-01-15";
    o.jit = STRAT_JIT_OFF;     /* compiling code per input would be all we did */
    o.cache_dir = "";
    o.max_errors = 50;
    return o;
}

/* Everything a user can see after a run: diagnostics in each format,
 * decisions in each format, tests, a short sensitivity study.  Output goes to /dev/null; what is
 * checked is that producing it neither crashes nor misbehaves. */
static void fuzz_emit_all(strat_compilation *c, int with_results)
{
    if (strat_out_of_memory(c))
        return;
    strat_print_diagnostics(c, fuzz_null, STRAT_DIAG_TEXT, true);
    strat_print_diagnostics(c, fuzz_null, STRAT_DIAG_JSON, false);
    strat_print_diagnostics(c, fuzz_null, STRAT_DIAG_SARIF, false);
    strat_print_diagnostics(c, fuzz_null, STRAT_DIAG_GITHUB, false);
    if (!with_results)
        return;
    static const char *const formats[] = {"table", "json", "csv", "md"};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strat_emit_decisions(c, fuzz_null, formats[i]) != STRAT_OK)
            break;
    unsigned passed = 0, failed = 0;
    strat_test(c, fuzz_null, &passed, &failed);
    strat_sensitivity_options so = {5, 0.2, 1, 0, "json"};
    strat_sensitivity(c, fuzz_null, &so);
}

#endif
