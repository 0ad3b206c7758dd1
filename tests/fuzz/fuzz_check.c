/*
 * fuzz_check.c — libFuzzer target: the input is one .strat file, loaded,
 * checked and decided (interpreter only) when no error blocks that.  Then
 * every output is produced into /dev/null.
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
    if (strat_load(c, &path, 1) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
        strat_decide(c);
    fuzz_emit_all(c, 1);
    strat_free(c);
    return 0;
}
