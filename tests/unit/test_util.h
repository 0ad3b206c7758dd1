/*
 * test_util.h — compiling a strategy from a string inside a cmocka test,
 * and looking at what came out (diagnostics by code and position).
 */
#ifndef STRAT_TEST_UTIL_H
#define STRAT_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler.h"
#include "decide.h"
#include "diag.h"
#include "intern.h"
#include "program.h"
#include "source.h"

/* Writes `text` to a fresh file in a temporary directory, and `csv` (when
 * not NULL) beside it as `csv_name`, and compiles it (load, check,
 * decide).  The caller frees with strat_free. */
static inline strat_compilation *compile_text_csv(const char *text, const char *csv_name,
                                                  const char *csv)
{
    char dir[] = "/tmp/strat-test-XXXXXX";
    if (!mkdtemp(dir))
        return NULL;
    char path[128], csv_path[192];
    snprintf(path, sizeof path, "%s/t.strat", dir);
    snprintf(csv_path, sizeof csv_path, "%s/%s", dir, csv ? csv_name : "");
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    if (csv) {
        if (!(f = fopen(csv_path, "w")))
            return NULL;
        fputs(csv, f);
        fclose(f);
    }
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    strat_compilation *c = strat_new(NULL, &o);
    const char *files[] = {path};
    if (strat_load(c, files, 1) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
        strat_decide(c);
    if (csv)
        unlink(csv_path);
    unlink(path);
    rmdir(dir);
    return c;
}

static inline strat_compilation *compile_text(const char *text)
{
    return compile_text_csv(text, NULL, NULL);
}

/* The number of diagnostics with this code. */
static inline unsigned count_code(strat_compilation *c, DiagCode code)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < c->diags.len; i++)
        n += ((Diag *)c->diags.items[i])->code == code;
    return n;
}

/* The first diagnostic with this code, or NULL. */
static inline Diag *find_code(strat_compilation *c, DiagCode code)
{
    for (uint32_t i = 0; i < c->diags.len; i++)
        if (((Diag *)c->diags.items[i])->code == code)
            return c->diags.items[i];
    return NULL;
}

static inline LineCol diag_pos(strat_compilation *c, const Diag *d)
{
    return source_linecol(c, d->loc.file, d->loc.start);
}

/* Prints every diagnostic, to see why an assertion failed. */
static inline void dump_diags(strat_compilation *c)
{
    strat_print_diagnostics(c, stderr, STRAT_DIAG_TEXT, false);
}

#define STRATEGY_HEADER                                                   \
    "strategy \"t\" { horizon = 2027-01-01 .. 2027-12-31  budget = 10M }\n"

#endif
