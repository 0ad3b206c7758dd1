/*
 * fmt.h — `strat fmt` (fmt.c): a source in the canonical layout.
 */
#ifndef STRAT_FMT_H
#define STRAT_FMT_H

#include <stdio.h>

#include "compiler.h"

/* strat_format documents it. */
strat_status fmt_source(Compilation *c, const char *path, const char *text, size_t len,
                        FILE *out);

#endif
