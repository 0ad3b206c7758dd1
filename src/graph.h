/*
 * graph.h — `strat graph` (graph.c): services, depends_on edges,
 * value-stream clusters and supported objectives as DOT or Mermaid.
 */
#ifndef STRAT_GRAPH_H
#define STRAT_GRAPH_H

#include <stdio.h>

#include "eval.h"

/* Draws a checked strategy (coloured by decision when decided, plain when
 * not); STRAT_FINDINGS when it was not even resolved. */
strat_status graph_emit(Compilation *c, FILE *out, bool mermaid);

#endif
