/* cmd_check.c — `strat check`: diagnostics only.  cli_compile decides too
 * (strat_decide), since the program's run gives findings of its own: rule
 * and limit violations, scores that are not numbers. */
#include <string.h>

#include "commands.h"

int cmd_check(CliOptions *o)
{
    strat_status st;
    strat_compilation *c = cli_compile(o, o->files, o->nfiles, &st);
    if (!c)
        return STRAT_FAILURE;
    strat_diag_format fmt = STRAT_DIAG_TEXT;
    if (o->format && strcmp(o->format, "json") == 0)
        fmt = STRAT_DIAG_JSON;
    else if (o->format && strcmp(o->format, "sarif") == 0)
        fmt = STRAT_DIAG_SARIF;
    else if (o->format && strcmp(o->format, "github") == 0)
        fmt = STRAT_DIAG_GITHUB;
    if (fmt == STRAT_DIAG_TEXT) {
        cli_print_diags(c, o, stderr, fmt);
    } else {
        AtomicFile out;
        if (!atomic_open(&out, o->output)) {
            strat_free(c);
            return STRAT_FAILURE;
        }
        cli_print_diags(c, o, out.fp, fmt);
        if (!atomic_commit(&out))
            st = STRAT_FAILURE;
    }
    if (st == STRAT_OK && o->lib.werror && strat_warning_count(c) > 0)
        st = STRAT_FINDINGS;
    strat_free(c);
    return st;
}
