/*
 * graph.h — `strat graph` (graph.c): services, depends_on edges,
 * value-stream clusters and supported objectives as DOT or Mermaid.
 */
#ifndef STRAT_GRAPH_H
#define STRAT_GRAPH_H

#include <stdio.h>

#include "eval.h"

/* The colours of a decision, for every picture of the portfolio (`strat
 * graph` and the HTML report): outcome is an outcome id (program.h), or
 * -1 for no decision.  fill is light, stroke the darker border. */
typedef struct DecisionColour {
    const char *fill, *stroke;
} DecisionColour;
DecisionColour decision_colour(int outcome);

/* Draws a checked strategy (coloured by decision when decided, plain when
 * not); STRAT_FINDINGS when it was not even resolved. */
strat_status graph_emit(Compilation *c, FILE *out, bool mermaid);

#endif
