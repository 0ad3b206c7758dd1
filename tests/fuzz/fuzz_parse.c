/*
 * fuzz_parse.c — libFuzzer target: the input is one .strat file; strat_load
 * lexes and parses it and follows its imports (stdlib modules, itself, and
 * paths that try to leave the project).  Then diagnostics are printed.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    const char *path = fuzz_write("in.strat", data, size);
    strat_options o = fuzz_options();
    strat_compilation *c = strat_new(NULL, &o);
    if (!c)
        abort();
    strat_load(c, &path, 1);
    fuzz_emit_all(c, 0);
    strat_free(c);
    return 0;
}
