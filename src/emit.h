/*
 * emit.h — decisions as text (emit.c): table, JSON, CSV, Markdown,
 * summary, and the HTML report (emit_html.h).
 */
#ifndef STRAT_EMIT_H
#define STRAT_EMIT_H

#include <stdio.h>

#include "eval.h"

/* The decided portfolio in `format` ("table" or NULL, "json", "csv", "md",
 * "summary", "html") onto out.  STRAT_FINDINGS, writing nothing, when
 * nothing was decided; STRAT_FAILURE for an unknown format. */
strat_status emit_decisions(Compilation *c, FILE *out, const char *format);

#endif
