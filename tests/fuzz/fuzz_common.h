/*
 * fuzz_common.h — what the libFuzzer targets share: a private temporary
 * project directory per process, writing the input into it, the options
 * every fuzzed compilation uses (interpreter only, no code cache, a pinned
 * date, the repository's stdlib), every output of a run, and `explain` of
 * each service with the HTML report as text to compare (fuzz_explain.c runs
 * it under both engines).
 *
 * The input goes through a real file because strat_load takes paths: that
 * way the fuzzer exercises the same reading, import and root checks as the
 * command line.  Build and run with tests/fuzz/run.sh.
 */
#ifndef STRAT_FUZZ_COMMON_H
#define STRAT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strat/strat.h"
#include "strat/strat_test.h"

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

enum { FUZZ_MAX_EXPLAIN = 64 };

/* The services of a decided compilation, in rank order, read back from its
 * CSV decisions (the public API has no list of them): at most max names,
 * each malloc'ed.  A cell the CSV writer guarded against formula injection
 * comes back with its quote and is then an unknown service to explain:
 * fine, that path is exercised too. */
static size_t fuzz_service_names(strat_compilation *c, char **names, size_t max)
{
    char *csv = NULL;
    size_t len = 0, n = 0;
    FILE *ms = open_memstream(&csv, &len);
    if (!ms)
        abort();
    strat_status st = strat_emit_decisions(c, ms, "csv");
    if (fclose(ms) != 0)
        abort();
    const char *p = st == STRAT_OK && csv ? strchr(csv, '\n') : NULL;
    while (p && *++p && n < max) {
        /* rank,service,...: the second field, RFC 4180 quoting */
        const char *q = strchr(p, ',');
        if (!q)
            break;
        q++;
        size_t cap = strlen(q) + 1, k = 0;
        char *name = malloc(cap);
        if (!name)
            abort();
        if (*q == '"') {
            for (q++; *q && !(*q == '"' && q[1] != '"'); q++) {
                if (*q == '"')
                    q++;
                name[k++] = *q;
            }
        } else {
            while (*q && *q != ',' && *q != '\r' && *q != '\n')
                name[k++] = *q++;
        }
        name[k] = '\0';
        names[n++] = name;
        /* the next record: past this one's line end, outside quotes */
        bool quoted = false;
        for (; *p && (quoted || *p != '\n'); p++)
            if (*p == '"')
                quoted = !quoted;
        if (!*p)
            break;
    }
    free(csv);
    return n;
}

/* `explain` of each service (the first FUZZ_MAX_EXPLAIN by rank) and the
 * HTML report, into out; returns the number of services explained. */
static size_t fuzz_explanations(strat_compilation *c, FILE *out)
{
    if (strat_out_of_memory(c))
        return 0;
    char *names[FUZZ_MAX_EXPLAIN];
    size_t n = fuzz_service_names(c, names, FUZZ_MAX_EXPLAIN);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "== explain %s\n", names[i]);
        strat_status st = strat_explain(c, out, names[i]);
        fprintf(out, "== status %d\n", (int)st);
        free(names[i]);
    }
    if (n && !strat_out_of_memory(c))
        fprintf(out, "== html %d\n", (int)strat_emit_decisions(c, out, "html"));
    return n;
}

/* Everything a user can see after a run: diagnostics in each format,
 * decisions in each format, `explain` of each service and the HTML report,
 * tests, a short sensitivity study.  Output goes to /dev/null; what is
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
    fuzz_explanations(c, fuzz_null);
    unsigned passed = 0, failed = 0;
    strat_test(c, fuzz_null, &passed, &failed);
    strat_sensitivity_options so = {5, 0.2, 1, 0, "json"};
    strat_sensitivity(c, fuzz_null, &so);
}

#endif
