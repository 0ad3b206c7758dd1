/*
 * fuzz_explain.c — libFuzzer target: the input is one .strat file (loaded
 * from memory with strat_load_buffer), decided
 * by the interpreter and, when that gives decisions, again by the JIT (at
 * -O0, in memory, no cache).  `explain` of every service and the HTML
 * report must be the same bytes under both engines: the flip search and
 * the norm() ranges it prints may not depend on which engine decided.  A
 * difference aborts, with both texts on standard error.
 *
 * Inputs that do not check compile once and return: the JIT (tens of
 * milliseconds) is paid only where there is something to compare.
 *
 * libgccjit runs the assembler and linker as child processes and waits for
 * them; libFuzzer's timeout timer (SIGALRM) interrupting that wait makes
 * the driver give up and exit the whole process ("failed to get exit
 * status: Interrupted system call").  The JIT run therefore blocks SIGALRM
 * in this thread: the signal goes to another thread, or waits until the
 * run is over.
 */
#include <pthread.h>
#include <signal.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    char *text[2] = {NULL, NULL};
    for (int pass = 0; pass < 2; pass++) {
        strat_options o = fuzz_options();
        if (pass == 1) {
            o.jit = STRAT_JIT_ON;
        }
        sigset_t alarm, saved;
        sigemptyset(&alarm);
        sigaddset(&alarm, SIGALRM);
        if (pass == 1 && pthread_sigmask(SIG_BLOCK, &alarm, &saved) != 0)
            abort();
        strat_compilation *c = strat_new(NULL, &o);
        if (!c)
            abort();
        strat_set_test_knobs(c, &(strat_test_knobs){.jit_O0 = pass == 1});
        if (strat_load_buffer(c, "in.strat", (const char *)data, size) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
            strat_decide(c);
        if (pass == 1 && pthread_sigmask(SIG_SETMASK, &saved, NULL) != 0)
            abort();
        size_t len = 0;
        FILE *out = open_memstream(&text[pass], &len);
        if (!out)
            abort();
        size_t explained = fuzz_explanations(c, out);
        if (fclose(out) != 0)
            abort();
        strat_free(c);
        if (pass == 0 && !explained) {
            free(text[0]);
            return 0;
        }
    }
    if (strcmp(text[0], text[1]) != 0) {
        fprintf(stderr, "explain differs between the interpreter and the JIT:\n%s\n----\n%s\n",
                text[0], text[1]);
        abort();
    }
    free(text[0]);
    free(text[1]);
    return 0;
}
