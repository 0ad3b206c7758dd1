/*
 * fuzz_check.c — libFuzzer target: the input is one .strat file, loaded
 * from memory (strat_load_buffer: no temporary file; fuzz_parse loads from
 * disk, through the confinement walk), checked and decided (interpreter
 * only) when no error blocks that.  Then
 * every output is produced into /dev/null.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    strat_options o = fuzz_options();
    strat_compilation *c = strat_new(NULL, &o);
    if (!c)
        abort();
    if (strat_load_buffer(c, "in.strat", (const char *)data, size) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
        strat_decide(c);
    fuzz_emit_all(c, 1);
    strat_free(c);
    return 0;
}
