/*
 * sensitivity.c — `strat sensitivity`: which decisions are knife-edge.
 *
 * Takes a decided portfolio; gives, for each service whose decision is not
 * robust, how often it changed and into what, over a Monte-Carlo of the
 * inputs.  Each run perturbs every numeric attribute of every service and
 * every objective weight, then re-scores and re-decides the whole portfolio
 * (norm() ranges follow the perturbed inputs), with the JIT when `decide`
 * would use it, else the interpreter: the same bits either way.
 *
 * A perturbation is a uniform draw u in [-1, 1):
 *   an attribute with both bounds in its schema   v + u * spread * (max - min)
 *   any other number (and objective weights)      v * (1 + u * spread)
 * clamped to the schema's bounds; a missing value stays missing.  u comes
 * from a hash of (seed, run, attribute, row), not from a stream carried
 * through the loops, so it does not depend on the order anything is visited
 * in: the same seed gives the same bytes, on any number of threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "digest.h"
#include "jit.h"
#include "json.h"
#include "parallel.h"
#include "sensitivity.h"

enum { DEFAULT_RUNS = 200 };
#define DEFAULT_SPREAD 0.10
#define DEFAULT_KNIFE_EDGE 0.10

/* Into what a service's decision (in table 0) changed, per run: the
 * program's outcome ids and "no decision" (a score that came out NaN or
 * infinite), OUTCOMES(st) in all. */
#define OUTCOMES(st) ((st)->c->program->ndecisions + 1)

typedef struct Perturbed {
    KindTable *t;
    int slot;
    double *saved;            /* the unperturbed column */
    const AttrDef *a;
    uint64_t tag;             /* which stream of draws */
} Perturbed;

typedef struct Study {
    Compilation *c;
    Eval *ev;
    Results *base, *run;
    uint32_t n;
    Perturbed *cols;
    uint32_t ncols;
    uint32_t *changed;        /* per service: runs with another outcome */
    uint32_t *into;           /* [row * OUTCOMES(st) + outcome] */
    PtrVec order;             /* scores, dependencies first */
    uint32_t table;           /* the decide table studied (--table; else 0) */
} Study;

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* The draws of one column in one run are a SplitMix64 sequence indexed by
 * row, from a key mixed out of (seed, run, column): one mix a cell, and no
 * state carried from cell to cell. */
static uint64_t draw_key(uint64_t seed, uint32_t run, uint64_t tag)
{
    return mix64(seed ^ mix64(((uint64_t)run << 32) ^ mix64(tag)));
}

/* Uniform in [-1, 1). */
static double draw(uint64_t key, uint32_t row)
{
    uint64_t h = mix64(key + (uint64_t)row * 0x9E3779B97F4A7C15ULL);
    return (double)(h >> 11) * 0x1p-52 - 1.0;
}

static double clamp_to_schema(const AttrDef *a, double v)
{
    if (a && a->has_min && !(v > a->min))
        v = a->min_excl ? nextafter(a->min, INFINITY) : (v < a->min ? a->min : v);
    if (a && a->has_max && !(v < a->max))
        v = a->max_excl ? nextafter(a->max, -INFINITY) : (v > a->max ? a->max : v);
    return v;
}

static double perturb(const AttrDef *a, double v, double u, double spread)
{
    if (isnan(v))
        return v;
    if (a && a->has_min && a->has_max)
        v = v + u * spread * (a->max - a->min);
    else
        v = v * (1 + u * spread);
    /* an int moves by whole steps: a 0..3 count under a 10% spread stays
     * put, rather than being nudged across a threshold by a fraction */
    if (!a || !a->whole)
        return clamp_to_schema(a, v);
    v = clamp_to_schema(a, round(v));
    if (v != floor(v))   /* an exclusive bound (`> 0`): the whole value inside it */
        v = a->has_min && v < a->min + 1 ? ceil(v) : floor(v);
    return v;
}

/* One run's draws for one column, rows [lo, hi) (any thread: the draw
 * of a row depends on nothing else). */
typedef struct PerturbJob {
    const Perturbed *p;
    double *col;
    uint64_t key;
    double spread;
} PerturbJob;

static void perturb_rows(void *ctx, uint32_t lo, uint32_t hi)
{
    const PerturbJob *job = ctx;
    const Perturbed *p = job->p;
    for (uint32_t r = lo; r < hi; r++) {
        double v = perturb(p->a, p->saved[r], draw(job->key, r), job->spread);
        /* weights stay weights: not below zero */
        job->col[r] = p->a == NULL && v < 0 ? 0 : v;
    }
}

static void add_column(Study *st, KindTable *t, int slot, const AttrDef *a, uint64_t tag)
{
    Perturbed *p = &st->cols[st->ncols++];
    p->t = t;
    p->slot = slot;
    p->a = a;
    p->tag = tag;
    p->saved = arena_alloc(&st->c->arena, sizeof(double) * (t->count + 1));
    memcpy(p->saved, t->cols[slot].num, sizeof(double) * t->count);
}

/* What a run may add that outlives it: counts and pointers that change
 * when it does. */
typedef struct Lasting {
    const void *kept, *memo;
    uint32_t nnorm, atoms, names, diags, trace;
} Lasting;

static Lasting lasting(Compilation *c)
{
    Lasting l;
    memset(&l, 0, sizeof l);   /* (padding too: compared with memcmp) */
    l.kept = c->jit_kept;
    l.memo = c->eval->memo;   /* the score memo's table, grown in a run */
    l.nnorm = c->eval->nnorm;
    l.atoms = c->program->atoms.len;
    l.names = c->names.len;
    l.diags = c->diags.len;
    l.trace = c->eval->trace.len;
    return l;
}

/* The service's outcome in decide table t of a results table: its
 * decision, or the program's number of outcomes (no decision). */
static int outcome(const Program *p, const Results *res, uint32_t t, uint32_t row)
{
    int d = t ? res->decisions[t][row] : res->decision[row];
    return d >= 0 && (uint32_t)d < p->ndecisions ? d : (int)p->ndecisions;
}

/* One run: scores and decisions of every service into st->run. */
static void decide_all(Study *st)
{
    Eval *ev = st->ev;
    Program *p = ev->p;
    Results *res = st->run;
    for (uint32_t k = 0; k < ev->nnorm; k++)
        ev->norm_done[k] = false;     /* the ranges follow the inputs */
    eval_inputs_changed(ev);          /* so do objectives' effective weights */
    ev->res = res;
    memset(res->failed, 0, st->n);
    memset(res->score_ready, 0, p->scores.len + 1);
    bool decided = false;
    bool jitted = st->c->opts.jit != STRAT_JIT_OFF && jit_run(ev, res, &decided);
    if (!jitted) {
        for (uint32_t i = 0; i < st->order.len; i++) {
            Score *s = st->order.items[i];
            double *col = res->scores + (size_t)s->index * st->n;
            for (uint32_t r = 0; r < st->n; r++) {
                col[r] = eval_score(ev, s, r);
                if (!isfinite(col[r]))
                    res->failed[r] = true;
            }
            res->score_ready[s->index] = true;
        }
    }
    if (!decided)
        for (uint32_t r = 0; r < st->n; r++)
            decide_row(ev, r);
    /* the named tables up to the one studied (an arm may read those
     * before it) */
    for (uint32_t t = 1; t <= st->table; t++)
        for (uint32_t r = 0; r < st->n; r++)
            decide_table_row(ev, t, r);
}

static const char *study_outcome_name(Compilation *c, int o)
{
    return (uint32_t)o < c->program->ndecisions ? c->program->decision_names[o]
                                                : "no decision";
}

/* Services in report order: most often changed first, then by rank. */
static int by_change(const void *pa, const void *pb, void *arg)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const Study *st = arg;
    if (st->changed[a] != st->changed[b])
        return st->changed[a] > st->changed[b] ? -1 : 1;
    if (result_rank(st->base, a) != result_rank(st->base, b))
        return result_rank(st->base, a) < result_rank(st->base, b) ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void print_into(const Study *st, FILE *out, uint32_t r, unsigned runs, bool csv)
{
    /* alternatives, most frequent first, ties in decision order */
    bool done[MAX_OUTCOMES + 1] = {false};
    int base = outcome(st->c->program, st->base, st->table, r);
    done[base] = true;
    bool first = true;
    for (;;) {
        int best = -1;
        for (int o = 0; o < (int)OUTCOMES(st); o++)
            if (!done[o] && st->into[(size_t)r * OUTCOMES(st) + o] &&
                (best < 0 || st->into[(size_t)r * OUTCOMES(st) + o] >
                                 st->into[(size_t)r * OUTCOMES(st) + best]))
                best = o;
        if (best < 0)
            break;
        done[best] = true;
        double share = 100.0 * st->into[(size_t)r * OUTCOMES(st) + best] / runs;
        if (csv)
            fprintf(out, "%s%s:%.1f", first ? "" : ";", study_outcome_name(st->c, best), share);
        else
            fprintf(out, "%s%s %.1f%%", first ? "" : ", ", study_outcome_name(st->c, best), share);
        first = false;
    }
}

static void report(Study *st, FILE *out, const strat_sensitivity_options *o, unsigned runs,
                   double spread, double knife)
{
    Compilation *c = st->c;
    KindTable *svc = kind_table(c, EK_SERVICE);
    uint32_t *rows = arena_alloc(&c->arena, sizeof(uint32_t) * (st->n + 1));
    uint32_t nrows = 0, nknife = 0;
    for (uint32_t r = 0; r < st->n; r++) {
        if (!st->changed[r])
            continue;
        rows[nrows++] = r;
        nknife += st->changed[r] >= knife * runs;
    }
    qsort_r(rows, nrows, sizeof *rows, by_change, st);
    const char *fmt = o && o->format ? o->format : "table";
    if (strcmp(fmt, "json") == 0) {
        fprintf(out, "{\n  \"format_version\": \"" STRAT_JSON_FORMAT_VERSION "\",\n"
                     "  \"runs\": %u,\n  \"spread\": ", runs);
        json_number(out, spread);
        fprintf(out, ",\n  \"seed\": %llu,\n  \"knife_edge\": ", (unsigned long long)o->seed);
        json_number(out, knife);
        fputs(",\n  \"inputs_sha256\": ", out);
        json_string(out, inputs_sha256(c));
        if (st->table) {
            fputs(",\n  \"table\": ", out);
            json_string(out, program_table(c->program, st->table)->name);
        }
        fprintf(out, ",\n  \"services\": %u,\n  \"changed\": %u,\n  \"knife_edge_count\": %u,"
                     "\n  \"decisions\": [", st->n, nrows, nknife);
        for (uint32_t i = 0; i < nrows; i++) {
            uint32_t r = rows[i];
            fputs(i ? ",\n    {\"service\": " : "\n    {\"service\": ", out);
            json_string(out, svc->names[r]);
            fputs(", \"decision\": ", out);
            json_string(out, study_outcome_name(c, outcome(c->program, st->base, st->table, r)));
            fputs(", \"changed\": ", out);
            json_number(out, (double)st->changed[r] / runs);
            fprintf(out, ", \"knife_edge\": %s, \"into\": {",
                    st->changed[r] >= knife * runs ? "true" : "false");
            bool first = true;
            for (int oc = 0; oc < (int)OUTCOMES(st); oc++) {
                uint32_t k = st->into[(size_t)r * OUTCOMES(st) + oc];
                if (!k || oc == outcome(c->program, st->base, st->table, r))
                    continue;
                fputs(first ? "" : ", ", out);
                json_string(out, study_outcome_name(c, oc));
                fputs(": ", out);
                json_number(out, (double)k / runs);
                first = false;
            }
            fputs("}}", out);
        }
        fputs(nrows ? "\n  ]\n}\n" : "]\n}\n", out);
        return;
    }
    bool csv = strcmp(fmt, "csv") == 0;
    if (csv) {
        fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
        fputs("service,decision,changed_percent,knife_edge,into\n", out);
        for (uint32_t i = 0; i < nrows; i++) {
            uint32_t r = rows[i];
            fprintf(out, "%s,%s,%.1f,%s,", svc->names[r],
                    study_outcome_name(c, outcome(c->program, st->base, st->table, r)),
                    100.0 * st->changed[r] / runs,
                    st->changed[r] >= knife * runs ? "yes" : "no");
            print_into(st, out, r, runs, true);
            fputc('\n', out);
        }
        return;
    }
    fprintf(out, "# sensitivity: %u runs; numeric inputs and objective weights perturbed "
                 "by up to %.4g%%; seed %llu\n",
            runs, 100 * spread, (unsigned long long)o->seed);
    if (st->table)
        fprintf(out, "# decide table: %s\n", program_table(c->program, st->table)->name);
    fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
    int w = 7;
    for (uint32_t i = 0; i < nrows; i++) {
        int len = (int)strlen(svc->names[rows[i]]);
        if (len > w)
            w = len;
    }
    if (nrows)
        fprintf(out, "%-*s  %-11s %8s  %s\n", w, "service", "decision", "changed", "into");
    for (uint32_t i = 0; i < nrows; i++) {
        uint32_t r = rows[i];
        fprintf(out, "%-*s  %-11s %7.1f%%  ", w, svc->names[r],
                study_outcome_name(c, outcome(c->program, st->base, st->table, r)),
                100.0 * st->changed[r] / runs);
        print_into(st, out, r, runs, false);
        fputs(st->changed[r] >= knife * runs ? "  (knife-edge)\n" : "\n", out);
    }
    fprintf(out, "%u of %u services changed decision in some run; %u knife-edge (changed in "
                 "at least %.4g%% of runs)\n",
            nrows, st->n, nknife, 100 * knife);
}

strat_status sensitivity_run(Compilation *c, FILE *out, const strat_sensitivity_options *o)
{
    if (!decide_have_results(c))
        return STRAT_FINDINGS;
    Eval *ev = c->eval;
    Results *base = c->results;
    unsigned runs = o && o->runs ? o->runs : DEFAULT_RUNS;
    double spread = o && o->spread > 0 ? o->spread : DEFAULT_SPREAD;
    double knife = o && o->knife_edge > 0 ? o->knife_edge : DEFAULT_KNIFE_EDGE;
    uint64_t seed = o ? (uint64_t)o->seed : 0;

    Study st = {0};
    st.c = c;
    st.ev = ev;
    st.base = base;
    KindTable *svc = kind_table(c, EK_SERVICE);
    KindTable *obj = kind_table(c, EK_OBJECTIVE);
    st.n = svc->count;
    st.cols = arena_alloc(&c->arena, sizeof(Perturbed) * (svc->nattrs + 2));
    for (uint32_t s = 0; s < svc->nattrs; s++)
        if (svc->attrs[s].type.kind == T_NUMBER && svc->count) {
            column_materialize(c, svc, (int)s);   /* each row is drawn its own value */
            add_column(&st, svc, (int)s, &svc->attrs[s], s + 1);
        }
    int wslot = attr_slot(obj, c->n.weight);
    if (wslot >= 0 && obj->count) {
        column_materialize(c, obj, wslot);
        add_column(&st, obj, wslot, NULL, 0x5745494748540000ULL);
    }   /* weights: only >= 0 */

    int table = decide_table_option(c, true);
    if (table < 0)
        return STRAT_FAILURE;
    st.table = (uint32_t)table;

    Results *run = ARENA_NEW(&c->arena, Results);
    *run = *base;
    /* a run's own rows for the tables it decides (not the base's) */
    run->decisions = ARENA_ARRAY(&c->arena, int8_t *, base->ntables + 1);
    run->arms = ARENA_ARRAY(&c->arena, int16_t *, base->ntables + 1);
    for (uint32_t t = 1; t <= st.table; t++) {
        run->decisions[t] = arena_alloc(&c->arena, st.n + 1);
        run->arms[t] = arena_alloc(&c->arena, sizeof(int16_t) * (st.n + 1));
    }
    run->scores = arena_alloc(&c->arena, sizeof(double) * ((size_t)st.n * base->nscores + 1));
    run->score_ready = arena_alloc(&c->arena, base->nscores + 1);
    run->decision = arena_alloc(&c->arena, st.n + 1);
    run->arm = arena_alloc(&c->arena, sizeof(int16_t) * (st.n + 1));
    if (base->ntables) {
        run->decisions[0] = run->decision;
        run->arms[0] = run->arm;
    }
    /* (the JIT writes rank values only where there is a `rank by`) */
    run->rank_value = base->rank_value ? arena_alloc(&c->arena, sizeof(double) * (st.n + 1))
                                       : NULL;
    run->failed = arena_alloc(&c->arena, st.n + 1);
    st.run = run;
    st.changed = ARENA_ARRAY(&c->arena, uint32_t, st.n + 1);
    st.into = ARENA_ARRAY(&c->arena, uint32_t, (size_t)st.n * OUTCOMES(&st) + 1);
    bool *seen = ARENA_ARRAY(&c->arena, bool, ev->p->scores.len + 1);
    for (uint32_t i = 0; i < ev->p->scores.len; i++)
        order_scores(c, ev->p->scores.items[i], &st.order, seen);

    /* the JIT's and the interpreter's chatter, once per run, would bury
     * the report */
    bool verbose = c->opts.verbose;
    c->opts.verbose = false;
    for (unsigned k = 0; k < runs; k++) {
        /* A run's scratch (the JIT's parameters and flags, a few bytes a
         * service) is given back after it, or a thousand runs over a large
         * portfolio would hold a thousand copies; unless the run made
         * something that lasts (the kept kernel, a norm() cache or an
         * atom first met on a branch only a perturbation took). */
        Lasting before = lasting(c);
        ArenaMark mark = arena_mark(&c->arena);
        for (uint32_t i = 0; i < st.ncols; i++) {
            Perturbed *p = &st.cols[i];
            PerturbJob job = {p, p->t->cols[p->slot].num, draw_key(seed, k, p->tag), spread};
            parallel_rows(c, p->t->count, 1 << 16, perturb_rows, &job);
        }
        decide_all(&st);
        for (uint32_t r = 0; r < st.n; r++) {
            int now = outcome(c->program, run, st.table, r);
            if (now == outcome(c->program, base, st.table, r))
                continue;
            st.changed[r]++;
            st.into[(size_t)r * OUTCOMES(&st) + now]++;
        }
        Lasting after = lasting(c);
        if (memcmp(&before, &after, sizeof before) == 0)
            arena_release(&c->arena, mark);
    }
    c->opts.verbose = verbose;
    /* the portfolio as it was, for anything after this */
    for (uint32_t i = 0; i < st.ncols; i++)
        memcpy(st.cols[i].t->cols[st.cols[i].slot].num, st.cols[i].saved,
               sizeof(double) * st.cols[i].t->count);
    for (uint32_t k = 0; k < ev->nnorm; k++)
        ev->norm_done[k] = false;
    eval_inputs_changed(ev);
    ev->res = base;

    strat_sensitivity_options shown = o ? *o : (strat_sensitivity_options){0};
    shown.seed = seed;
    report(&st, out, &shown, runs, spread, knife);
    return ferror(out) ? STRAT_FAILURE : STRAT_OK;
}
