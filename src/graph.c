/*
 * graph.c — `strat graph`: the portfolio as a picture.
 *
 * Takes a checked compilation (decided or not: a strategy with errors is
 * drawn too, without decisions).  Gives Graphviz DOT or a Mermaid
 * `flowchart LR` with the same content:
 *   - one node per service, labelled with its name and decision, filled
 *     with a fixed colour per decision (grey: no decision), a dashed
 *     border when it is retired;
 *   - an edge from each service to each service it depends_on;
 *   - one cluster (subgraph) per value stream holding the services its
 *     stages use; a service several streams use sits in the first one
 *     declared, drawn once;
 *   - the objectives services support, as separate ellipses, with dashed
 *     `supports` edges.
 * Nodes come in declaration order (then CSV row order), so the output is
 * the same on every run.  Every name is quoted and escaped: CSV-loaded
 * names may hold quotes, backslashes, spaces or any UTF-8.
 */
#include <string.h>

#include "diag.h"
#include "graph.h"
#include "intern.h"
#include "source.h"

/* Fill and border per decision (ColorBrewer "Paired", light on dark):
 * the one table of decision colours, the HTML report's too. */
static const char *const fill[DEC_COUNT + 1] = {
    "#b2df8a", "#a6cee3", "#fdbf6f", "#fb9a99", "#cab2d6", "#ffff99", "#d9d9d9"};
static const char *const stroke[DEC_COUNT + 1] = {
    "#33a02c", "#1f78b4", "#ff7f00", "#e31a1c", "#6a3d9a", "#b15928", "#737373"};
#define NO_DECISION DEC_COUNT
/* Outcomes of named tables beyond the six, in turn. */
static const char *const more_fill[4] = {"#ccebc5", "#fddaec", "#e5d8bd", "#b3e2cd"};
static const char *const more_stroke[4] = {"#4daf4a", "#e7298a", "#a6761d", "#1b9e77"};

DecisionColour decision_colour(int outcome)
{
    if (outcome < 0 || outcome >= MAX_OUTCOMES)
        return (DecisionColour){fill[NO_DECISION], stroke[NO_DECISION]};
    if (outcome < DEC_COUNT)
        return (DecisionColour){fill[outcome], stroke[outcome]};
    return (DecisionColour){more_fill[(outcome - DEC_COUNT) % 4],
                            more_stroke[(outcome - DEC_COUNT) % 4]};
}

/* The colours of a graph slot: the six, NO_DECISION, then the other
 * outcome ids shifted by one. */
static int slot_outcome(int d)
{
    return d == NO_DECISION ? -1 : d < DEC_COUNT ? d : d - 1;
}
static const char *fill_of(int d)
{
    return decision_colour(slot_outcome(d)).fill;
}
static const char *stroke_of(int d)
{
    return decision_colour(slot_outcome(d)).stroke;
}

typedef struct Graph {
    Compilation *c;
    Program *p;
    KindTable *svc, *obj, *vs;
    int *decision;        /* per service: its outcome in the table shown
                             (ids past the six shifted by one), or
                             NO_DECISION */
    int32_t *home;        /* per service: value-stream row, or -1 */
    uint32_t **members;   /* per stream: its services, in stage order */
    uint32_t *nmembers;
    bool *obj_used;       /* per objective: some service supports it */
    int dep_slot, sup_slot, status_slot;
    int32_t retired;      /* atom of `retired` */
} Graph;

/* Length of the valid UTF-8 sequence at s, or 0. */
/* Writes s, copying well-formed UTF-8 sequences, writing `?` for a byte
 * that starts none, and giving each ASCII byte to `ascii` to escape. */
static void write_escaped(FILE *out, const char *s, void (*ascii)(FILE *, unsigned char))
{
    size_t left = strlen(s);
    while (left) {
        int n = utf8_sequence_len(s, left);
        if (n == 0)
            fputc('?', out), n = 1;
        else if (n > 1)
            fwrite(s, 1, (size_t)n, out);
        else
            ascii(out, (unsigned char)*s);
        s += n;
        left -= (size_t)n;
    }
}

/* Inside a DOT double-quoted string: quotes and backslashes escaped (a
 * label never holds an escString like \N, a trailing backslash cannot eat
 * the closing quote), control characters as spaces. */
static void dot_ascii(FILE *out, unsigned char b)
{
    if (b == '"' || b == '\\')
        fputc('\\', out);
    fputc(b < 0x20 || b == 0x7F ? ' ' : b, out);
}

static void dot_inner(FILE *out, const char *s)
{
    write_escaped(out, s, dot_ascii);
}

static void dot_id(FILE *out, const char *prefix, const char *name)
{
    fputc('"', out);
    fputs(prefix, out);
    dot_inner(out, name);
    fputc('"', out);
}

/* Mermaid label text inside ["..."]: entity codes for what its parser
 * would read as syntax or markup. */
static void mermaid_ascii(FILE *out, unsigned char b)
{
    if (b && strchr("\"#<>&`", b))
        fprintf(out, "#%d;", b);
    else
        fputc(b < 0x20 || b == 0x7F ? ' ' : b, out);
}

static void mermaid_text(FILE *out, const char *s)
{
    write_escaped(out, s, mermaid_ascii);
}

static const char *dec_label(const Graph *g, int d)
{
    return d == NO_DECISION ? "undecided" : outcome_name(g->p, d < DEC_COUNT ? d : d - 1);
}

static bool is_retired(const Graph *g, uint32_t row)
{
    return g->status_slot >= 0 && g->retired >= 0 &&
           col_i32(g->svc, g->status_slot, row) == g->retired;
}

static void build(Graph *g, Compilation *c)
{
    Arena *a = &c->arena;
    g->c = c;
    g->p = c->program;
    g->svc = kind_table(c, EK_SERVICE);
    g->obj = kind_table(c, EK_OBJECTIVE);
    g->vs = kind_table(c, EK_VALUE_STREAM);
    g->dep_slot = attr_slot(g->svc, c->n.depends_on);
    g->sup_slot = attr_slot(g->svc, c->n.supports);
    g->status_slot = attr_slot(g->svc, c->n.status);
    g->retired = atom_id(c, c->n.retired);
    uint32_t n = g->svc->count;
    const Results *res = c->results;
    bool decided = res && res->decided && res->nservices == n;
    g->decision = ARENA_ARRAY(a, int, n + 1);
    g->home = ARENA_ARRAY(a, int32_t, n + 1);
    /* the first table's outcomes, or --table's */
    DecideTable *shown = c->opts.table ? program_table_named(c, intern_cstr(c, c->opts.table))
                                       : NULL;
    const int8_t *dec = decided ? (shown && shown->index ? res->decisions[shown->index]
                                                         : res->decision)
                                : NULL;
    for (uint32_t r = 0; r < n; r++) {
        int d = dec && !res->failed[r] ? dec[r] : -1;
        g->decision[r] = d < 0 ? NO_DECISION : d < DEC_COUNT ? d : d + 1;
        g->home[r] = -1;
    }
    uint32_t nvs = g->vs->count;
    g->members = ARENA_ARRAY(a, uint32_t *, nvs + 1);
    g->nmembers = ARENA_ARRAY(a, uint32_t, nvs + 1);
    /* first count, then fill, each stream's services in stage order */
    uint32_t *cap = ARENA_ARRAY(a, uint32_t, nvs + 1);
    for (uint32_t i = 0; i < g->p->nstages; i++)
        if (g->p->stages[i].stream < nvs)
            cap[g->p->stages[i].stream] += g->p->stages[i].nservices;
    for (uint32_t v = 0; v < nvs; v++)
        g->members[v] = ARENA_ARRAY(a, uint32_t, cap[v] + 1);
    for (uint32_t v = 0; v < nvs; v++) {
        for (uint32_t i = 0; i < g->p->nstages; i++) {
            const Stage *st = &g->p->stages[i];
            if (st->stream != v)
                continue;
            for (uint32_t k = 0; k < st->nservices; k++) {
                int32_t s = st->services[k];
                if (s < 0 || (uint32_t)s >= n || g->home[s] >= 0)
                    continue;
                g->home[s] = (int32_t)v;
                g->members[v][g->nmembers[v]++] = (uint32_t)s;
            }
        }
    }
    g->obj_used = ARENA_ARRAY(a, bool, g->obj->count + 1);
    for (uint32_t r = 0; r < n; r++) {
        const int32_t *el;
        ListSpan sp = col_list(g->svc, g->sup_slot, r, &el);
        for (uint32_t k = 0; k < sp.len; k++)
            if (el[k] >= 0 && (uint32_t)el[k] < g->obj->count)
                g->obj_used[el[k]] = true;
    }
}

/* ---- DOT ----------------------------------------------------------------- */

static void dot_service(FILE *out, const Graph *g, uint32_t r, const char *indent)
{
    int d = g->decision[r];
    fputs(indent, out);
    dot_id(out, "s_", g->svc->names[r]);
    fputs(" [label=\"", out);
    dot_inner(out, g->svc->names[r]);
    fprintf(out, "\\n%s\", fillcolor=\"%s\", color=\"%s\"%s];\n", dec_label(g, d),
            fill_of(d), stroke_of(d), is_retired(g, r) ? ", style=\"rounded,filled,dashed\"" : "");
}


/* One edge per element of a list attribute of every service (depends_on,
 * supports), to nodes named with `prefix`; a blank line before the first. */
static void dot_edges(const Graph *g, FILE *out, int slot, const KindTable *target,
                      const char *prefix, const char *attrs)
{
    bool any = false;
    for (uint32_t r = 0; r < g->svc->count; r++) {
        const int32_t *el;
        ListSpan sp = col_list(g->svc, slot, r, &el);
        for (uint32_t k = 0; k < sp.len; k++) {
            if (el[k] < 0 || (uint32_t)el[k] >= target->count)
                continue;
            if (!any)
                fputc('\n', out);
            any = true;
            fputs("  ", out);
            dot_id(out, "s_", g->svc->names[r]);
            fputs(" -> ", out);
            dot_id(out, prefix, target->names[el[k]]);
            fprintf(out, "%s;\n", attrs);
        }
    }
}

static void emit_dot(FILE *out, const Graph *g)
{
    const char *title = g->p->strategy.title ? g->p->strategy.title : "strategy";
    fputs("digraph strat {\n", out);
    fputs("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=14, labelloc=t, label=\"", out);
    dot_inner(out, title);
    fputs("\"];\n", out);
    fputs("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
          "fontsize=11, penwidth=1.2];\n", out);
    fputs("  edge [color=\"#555555\", arrowsize=0.7];\n", out);
    for (uint32_t v = 0; v < g->vs->count; v++) {
        if (!g->nmembers[v])
            continue;
        fputs("\n  subgraph ", out);
        dot_id(out, "cluster_", g->vs->names[v]);
        fputs(" {\n    label=\"", out);
        dot_inner(out, g->vs->names[v]);
        fputs("\";\n    style=\"rounded,dashed\";\n    color=\"#7f7f7f\";\n"
              "    fontcolor=\"#4d4d4d\";\n", out);
        for (uint32_t k = 0; k < g->nmembers[v]; k++)
            dot_service(out, g, g->members[v][k], "    ");
        fputs("  }\n", out);
    }
    bool any = false;
    for (uint32_t r = 0; r < g->svc->count; r++) {
        if (g->home[r] >= 0)
            continue;
        if (!any)
            fputc('\n', out);
        any = true;
        dot_service(out, g, r, "  ");
    }
    any = false;
    for (uint32_t o = 0; o < g->obj->count; o++) {
        if (!g->obj_used[o])
            continue;
        if (!any)
            fputc('\n', out);
        any = true;
        fputs("  ", out);
        dot_id(out, "o_", g->obj->names[o]);
        fputs(" [label=\"", out);
        dot_inner(out, g->obj->names[o]);
        fputs("\", shape=ellipse, style=dashed, color=\"#7f7f7f\", fontcolor=\"#4d4d4d\"];\n",
              out);
    }
    dot_edges(g, out, g->dep_slot, g->svc, "s_", "");
    dot_edges(g, out, g->sup_slot, g->obj, "o_",
              " [style=dashed, color=\"#7f7f7f\", arrowhead=empty]");
    fputs("}\n", out);
}

/* ---- Mermaid -------------------------------------------------------------- */

static void mermaid_service(FILE *out, const Graph *g, uint32_t r, const char *indent)
{
    fprintf(out, "%ss%u[\"", indent, r);
    mermaid_text(out, g->svc->names[r]);
    fprintf(out, "<br/>%s\"]:::%s\n", dec_label(g, g->decision[r]),
            dec_label(g, g->decision[r]));
}

static void emit_mermaid(FILE *out, const Graph *g)
{
    fputs("%% ", out);
    /* a comment runs to the end of the line: keep the title on one */
    const char *title = g->p->strategy.title ? g->p->strategy.title : "strategy";
    for (const char *s = title; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    fputs("\nflowchart LR\n", out);
    for (uint32_t v = 0; v < g->vs->count; v++) {
        if (!g->nmembers[v])
            continue;
        fprintf(out, "  subgraph vs%u [\"", v);
        mermaid_text(out, g->vs->names[v]);
        fputs("\"]\n", out);
        for (uint32_t k = 0; k < g->nmembers[v]; k++)
            mermaid_service(out, g, g->members[v][k], "    ");
        fputs("  end\n", out);
    }
    for (uint32_t r = 0; r < g->svc->count; r++)
        if (g->home[r] < 0)
            mermaid_service(out, g, r, "  ");
    for (uint32_t o = 0; o < g->obj->count; o++) {
        if (!g->obj_used[o])
            continue;
        fprintf(out, "  o%u([\"", o);
        mermaid_text(out, g->obj->names[o]);
        fputs("\"]):::objective\n", out);
    }
    for (uint32_t r = 0; r < g->svc->count; r++) {
        const int32_t *el;
        ListSpan sp = col_list(g->svc, g->dep_slot, r, &el);
        for (uint32_t k = 0; k < sp.len; k++)
            if (el[k] >= 0 && (uint32_t)el[k] < g->svc->count)
                fprintf(out, "  s%u --> s%d\n", r, el[k]);
    }
    for (uint32_t r = 0; r < g->svc->count; r++) {
        const int32_t *el;
        ListSpan sp = col_list(g->svc, g->sup_slot, r, &el);
        for (uint32_t k = 0; k < sp.len; k++)
            if (el[k] >= 0 && (uint32_t)el[k] < g->obj->count)
                fprintf(out, "  s%u -.-> o%d\n", r, el[k]);
    }
    for (int d = 0; d <= NO_DECISION + (int)g->p->ndecisions - DEC_COUNT; d++)
        fprintf(out, "  classDef %s fill:%s,stroke:%s,color:#000\n", dec_label(g, d),
                fill_of(d), stroke_of(d));
    fputs("  classDef objective fill:#fff,stroke:#7f7f7f,stroke-dasharray:4 3,"
          "color:#4d4d4d\n", out);
    for (uint32_t r = 0; r < g->svc->count; r++)
        if (is_retired(g, r))
            fprintf(out, "  style s%u stroke-dasharray:5 4\n", r);
}

strat_status graph_emit(Compilation *c, FILE *out, bool mermaid)
{
    if (!c->program)
        return STRAT_FINDINGS;
    if (c->opts.table && !program_table_named(c, intern_cstr(c, c->opts.table))) {
        /* the diagnostics are printed by now: a log line says it */
        diag_log(c, "error", "--table names no decide table `%s` [S0921]", c->opts.table);
        return STRAT_FAILURE;
    }
    Graph *g = ARENA_NEW(&c->arena, Graph);
    build(g, c);
    if (mermaid)
        emit_mermaid(out, g);
    else
        emit_dot(out, g);
    return STRAT_OK;
}
