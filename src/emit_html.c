/* emit_html.c — placeholder while the HTML report is being written. */
#include "eval.h"

void emit_html(Compilation *c, const Results *res, FILE *out)
{
    (void)c;
    (void)res;
    fputs("<!doctype html><title>strat</title><p>not available yet</p>\n", out);
}
