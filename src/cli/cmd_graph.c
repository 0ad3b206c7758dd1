/*
 * cmd_graph.c — `strat graph FILES...`.
 *
 * Takes the options main.c parsed; compiles (and, when clean, decides)
 * the strategy, prints diagnostics on stderr, and writes strat_graph's
 * DOT (default) or Mermaid to stdout or to -o FILE atomically.
 *
 * Exit 0 when clean; 1 when the strategy has errors (or warnings, with
 * --werror) — the graph is still written, uncoloured when nothing could be
 * decided, since seeing the structure helps to fix it; 2 when the files
 * cannot be loaded or the output cannot be written (no output then).
 */
#include "commands.h"

int cmd_graph(CliOptions *o)
{
    strat_status st;
    strat_compilation *c = cli_compile(o, o->files, o->nfiles, &st);
    if (!c)
        return STRAT_FAILURE;
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    if (st == STRAT_FAILURE) {
        strat_free(c);
        return STRAT_FAILURE;
    }
    int rc = st != STRAT_OK || (o->lib.werror && strat_warning_count(c)) ? STRAT_FINDINGS
                                                                         : STRAT_OK;
    AtomicFile out;
    if (!atomic_open(&out, o->output)) {
        strat_free(c);
        return STRAT_FAILURE;
    }
    strat_status gs = strat_graph(c, out.fp, o->format);
    if (gs == STRAT_OK) {
        if (!atomic_commit(&out))
            rc = STRAT_FAILURE;
    } else {
        atomic_abort(&out);
        if (strat_out_of_memory(c))
            fputs("strat: out of memory\n", stderr);
        rc = STRAT_FAILURE;
    }
    strat_free(c);
    return rc;
}
