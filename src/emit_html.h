/*
 * emit_html.h — the self-contained HTML report of `decide --format html`
 * (emit_html.c).
 */
#ifndef STRAT_EMIT_HTML_H
#define STRAT_EMIT_HTML_H

#include <stdio.h>

#include "eval.h"

void emit_html(Compilation *c, const Results *res, FILE *out);

#endif
