/*
 * fuzz_fmt.c — libFuzzer target, all in memory: the input is one .strat
 * file's text, lexed, parsed and formatted by strat_format.  The oracle is
 * the formatter's own promise: formatting its output again changes
 * nothing.  No file is written per input, so this target runs far faster
 * than the ones that go through strat_load.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strat/strat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static strat_status format(const char *text, size_t len, char **out, size_t *out_len)
{
    strat_options o = {0};
    strat_compilation *c = strat_new(NULL, &o);
    if (!c)
        abort();
    FILE *m = open_memstream(out, out_len);
    if (!m)
        abort();
    strat_status st = strat_format(c, "in.strat", text, len, m);
    fclose(m);
    strat_free(c);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *once = NULL, *twice = NULL;
    size_t once_len = 0, twice_len = 0;
    if (format((const char *)data, size, &once, &once_len) == STRAT_OK) {
        if (format(once, once_len, &twice, &twice_len) != STRAT_OK ||
            twice_len != once_len || memcmp(once, twice, once_len) != 0) {
            fprintf(stderr, "fmt is not idempotent:\n--- once\n%.*s\n--- twice\n%.*s\n",
                    (int)once_len, once, (int)twice_len, twice ? twice : "");
            abort();
        }
    }
    free(once);
    free(twice);
    return 0;
}
