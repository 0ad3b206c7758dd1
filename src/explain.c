/*
 * explain.c — `strat explain`: why one service got its decision.
 *
 * Takes the decided portfolio and a service name; gives every score with
 * the inputs it read, every arm tried with its condition's value, and for
 * each input the smallest change of that one input that flips the
 * decision.  The search re-decides only this service with one column cell
 * changed; every norm() range is fixed from the unperturbed portfolio
 * before the search starts (a single service's change barely moves it,
 * and the interpreter and the JIT then name the same flips), which the
 * output says.  Scores are memoised per (score, service) for one state of
 * the inputs, so a score calling another twice costs one evaluation, not
 * 2^depth.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "diag.h"
#include "explain.h"
#include "intern.h"
#include "json.h"
#include "source.h"
#include "unparse.h"

/* The service's decision from the columns as they are now: its scores and
 * arms only, through the score memo (which must hold nothing older than
 * the last change of an input). */
static Decision decide_now(Eval *ev, uint32_t row, uint32_t table)
{
    Results *res = ev->res;
    bool *ready = res->score_ready;
    res->score_ready = NULL;          /* recompute from the changed column */
    bool failed = res->failed[row];
    int8_t saved_dec[MAX_OUTCOMES];
    int16_t saved_arm[MAX_OUTCOMES];
    /* the tables before this one too: its arms may read them */
    for (uint32_t t = 0; t <= table && t < MAX_OUTCOMES; t++) {
        saved_dec[t] = res->decisions[t][row];
        saved_arm[t] = res->arms[t][row];
    }
    res->failed[row] = false;
    for (uint32_t s = 0; s < ev->p->scores.len; s++)
        if (!isfinite(eval_score(ev, ev->p->scores.items[s], row)))
            res->failed[row] = true;
    for (uint32_t t = 0; t <= table && t < MAX_OUTCOMES; t++)
        decide_table_row(ev, t, row);
    Decision d = (Decision)res->decisions[table][row];
    for (uint32_t t = 0; t <= table && t < MAX_OUTCOMES; t++) {
        res->decisions[t][row] = saved_dec[t];
        res->arms[t][row] = saved_arm[t];
    }
    res->failed[row] = failed;
    res->score_ready = ready;
    return d;
}

/* The decision with one cell set to v: the memo forgotten when the cell
 * changes and when it is put back as it was. */
static Decision decide_with_num(Eval *ev, uint32_t row, uint32_t table, double *cell,
                                double v)
{
    double v0 = *cell;
    *cell = v;
    eval_memo_invalidate(ev);
    Decision d = decide_now(ev, row, table);
    *cell = v0;
    eval_memo_invalidate(ev);
    return d;
}

static Decision decide_with_sym(Eval *ev, uint32_t row, uint32_t table, int32_t *cell,
                                int32_t v)
{
    int32_t v0 = *cell;
    *cell = v;
    eval_memo_invalidate(ev);
    Decision d = decide_now(ev, row, table);
    *cell = v0;
    eval_memo_invalidate(ev);
    return d;
}

typedef struct Flip {
    int slot;
    double from, to;
    Name sym_to;
    Decision becomes;
    double rel;          /* |to - from| / max(|from|, 1): for sorting */
} Flip;

/* Whether the schema allows v for a (bounds inclusive or exclusive). */
static bool in_bounds(const AttrDef *a, double v)
{
    if (a->has_min && (a->min_excl ? !(v > a->min) : !(v >= a->min)))
        return false;
    if (a->has_max && (a->max_excl ? !(v < a->max) : !(v <= a->max)))
        return false;
    return true;
}

/* The smallest change of a numeric cell, in one direction, that flips:
 * only to values the schema allows. */
static bool search_numeric(Eval *ev, uint32_t row, uint32_t table, int slot, double dir,
                           Flip *out)
{
    KindTable *svc = kind_table(ev->c, EK_SERVICE);
    const AttrDef *a = &svc->attrs[slot];
    column_materialize(ev->c, svc, slot);   /* the search writes the cell */
    double *cell = &svc->cols[slot].num[row];
    double v0 = *cell;
    Decision d0 = (Decision)ev->res->decisions[table][row];
    double base = fabs(v0) > 1 ? fabs(v0) : 1;
    double prev = 0, hit = NAN;
    Decision got = d0;
    for (int k = 0; k <= 40; k++) {
        double delta = base * ldexp(1.0, k - 12);   /* 0.02% .. 2.7e8 x */
        double v = v0 + dir * delta;
        if (!in_bounds(a, v)) {
            bool excl = dir > 0 ? a->max_excl : a->min_excl;
            double bound = dir > 0 ? a->max : a->min;
            double edge = fabs(bound - v0);
            if (!excl) {
                /* try the bound itself once, then stop */
                if (edge > prev) {
                    got = decide_with_num(ev, row, table, cell, bound);
                    if (got != d0)
                        hit = edge;
                }
                break;
            }
            /* an exclusive bound (`> 0`) is not a value the input may
             * take: close in on it, halving the gap, then stop */
            for (int j = 1; j <= 40 && isnan(hit); j++) {
                double d = edge - (edge - prev) * ldexp(1.0, -j);
                if (!(d > prev) || !in_bounds(a, v0 + dir * d))
                    break;
                got = decide_with_num(ev, row, table, cell, v0 + dir * d);
                if (got != d0)
                    hit = d;
                else
                    prev = d;
            }
            break;
        }
        got = decide_with_num(ev, row, table, cell, v);
        if (got != d0) {
            hit = delta;
            break;
        }
        prev = delta;
    }
    if (isnan(hit))
        return false;
    /* bisect between the last delta that kept the decision and the first
     * that flipped it */
    double lo = prev, hi = hit;
    for (int i = 0; i < 60 && hi - lo > 1e-9 * base; i++) {
        double mid = lo + (hi - lo) / 2;
        Decision d = decide_with_num(ev, row, table, cell, v0 + dir * mid);
        if (d != d0) {
            hi = mid;
            got = d;
        } else {
            lo = mid;
        }
    }
    /* a short figure a person can type, which still flips when read back
     * and changes the input at most 0.1% more than the exact threshold:
     * round away from the current value at 1, 2, ... significant digits */
    double to = v0 + dir * hi;
    for (int prec = 1; prec <= 17 && to != 0; prec++) {
        double scale = pow(10, prec - 1 - floor(log10(fabs(to))));
        double cand = dir > 0 ? ceil(to * scale) / scale : floor(to * scale) / scale;
        if (!isfinite(cand) || !in_bounds(a, cand) || fabs(cand - v0) > 1.001 * fabs(to - v0))
            continue;
        Decision d = decide_with_num(ev, row, table, cell, cand);
        if (d != d0) {
            to = cand;
            break;
        }
    }
    if (a->whole) {   /* an int changes by whole steps */
        double w = dir > 0 ? ceil(to) : floor(to);
        if (!in_bounds(a, w) || decide_with_num(ev, row, table, cell, w) == d0)
            return false;
        to = w;
    }
    got = decide_with_num(ev, row, table, cell, to);
    out->slot = slot;
    out->sym_to = NULL;
    out->from = v0;
    out->to = to;
    out->becomes = got;
    out->rel = fabs(to - v0) / base;
    return got != d0;
}

/* Which of the service's attributes the trace holds a read of. */
static bool *attrs_read(Eval *ev, uint32_t row)
{
    KindTable *svc = kind_table(ev->c, EK_SERVICE);
    bool *read = ARENA_ARRAY(&ev->c->arena, bool, svc->nattrs + 1);
    for (uint32_t i = 0; i < ev->trace.len; i++) {
        TraceRead *t = ev->trace.items[i];
        if (t->kind == EK_SERVICE && t->row == row && t->slot >= 0 &&
            (uint32_t)t->slot < svc->nattrs)
            read[t->slot] = true;
    }
    return read;
}

enum { MAX_READS_SHOWN = 20 };

/* Reads of one score, as "attr = value, other.attr = value, ..." (the
 * explained service's own attributes bare; each attribute once: under
 * the score memo a score's reads are already distinct), the first
 * MAX_READS_SHOWN of them: a score summing over every service reads them
 * all, and a line per read would make the explanation (and the HTML
 * report, which holds one per service) grow with the square of the
 * portfolio. */
static void print_reads(FILE *out, Eval *ev, uint32_t row, uint32_t from)
{
    Compilation *c = ev->c;
    uint32_t n = ev->trace.len - from;
    if (!n) {
        fputs("(no attributes)", out);
        return;
    }
    for (uint32_t i = 0; i < n && i < MAX_READS_SHOWN; i++) {
        TraceRead *t = ev->trace.items[from + i];
        KindTable *kt = kind_table(c, t->kind);
        /* the service's own attributes bare, anything else's named */
        bool own = t->kind == EK_SERVICE && t->row == row;
        fprintf(out, "%s%s%s%s = %s", i ? ", " : "", own ? "" : kt->names[t->row],
                own ? "" : ".", kt->attrs[t->slot].name, value_text(c, &t->value));
    }
    if (n > MAX_READS_SHOWN)
        fprintf(out, ", and %u more", n - MAX_READS_SHOWN);
}

static const char *short_number(Compilation *c, double v)
{
    char buf[40];
    format_double(buf, sizeof buf, v);
    if (strlen(buf) > 12) {   /* a score for reading, not for reuse */
        snprintf(buf, sizeof buf, "%.6g", v);
    }
    return arena_strndup(&c->arena, buf, strlen(buf));
}

/* The service, its decision and its rank. */
static void print_decision(Compilation *c, FILE *out, uint32_t r, uint32_t table)
{
    Program *p = c->program;
    Results *res = c->results;
    KindTable *svc = kind_table(c, EK_SERVICE);
    Source *src = source_get(c, row_loc(svc, r).file);
    LineCol lc = source_linecol(c, row_loc(svc, r).file, row_loc(svc, r).start);
    fprintf(out, "service %s  (%s:%u)\n", svc->names[r], src ? src->path : "?", lc.line);
    const DecideTable *t = program_table(p, table);
    if (t->name)
        fprintf(out, "decide table: %s\n", t->name);
    fprintf(out, "decision: %s", res->failed[r] ? "none (a score is not a number)"
                                                : outcome_name(p, res->decisions[table][r]));
    if (p->rank_decl && p->rank_decl->rank)
        fprintf(out, ", rank %u of %u (rank by %s = %s)", result_rank(res, r), res->nservices,
                expr_text(c, p->rank_decl->rank), short_number(c, result_rank_value(res, r)));
}

/* Every score of the service with what it read, then every arm tried up
 * to the one that fired.  Traced: the trace ends up holding every read
 * the scores and arms made, which is where the flip search looks. */
static void print_scores_and_arms(Eval *ev, FILE *out, uint32_t r, uint32_t table)
{
    Compilation *c = ev->c;
    Program *p = c->program;
    Results *res = c->results;
    ev->tracing = true;
    ev->trace.len = 0;
    bool *ready = res->score_ready;
    res->score_ready = NULL;
    fputs("\n\nscores:\n", out);
    for (uint32_t s = 0; s < p->scores.len; s++) {
        Score *sc = p->scores.items[s];
        uint32_t from = ev->trace.len;
        double v = eval_score(ev, sc, r);
        fprintf(out, "  %-20s = %-10s %s\n", sc->name, short_number(c, v),
                expr_text(c, sc->decl->expr));
        fprintf(out, "  %-20s   reads: ", "");
        print_reads(out, ev, r, from);
        fputc('\n', out);
    }
    fputs("\narms, in order (first true one fires):\n", out);
    int idx = 0;
    ev->locals[0] = (int32_t)r;
    ev->local_kinds[0] = EK_SERVICE;
    int fired = res->arms[table][r];
    int width = 10;   /* the decision column: the longest outcome named, at least 10 */
    for (Arm *a = program_table(p, table)->decl->arms; a; a = a->next)
        if ((int)strlen(a->decision) > width)
            width = (int)strlen(a->decision);
    for (Arm *a = program_table(p, table)->decl->arms; a; a = a->next, idx++) {
        LineCol al = source_linecol(c, a->loc.file, a->loc.start);
        const char *val = "always";
        if (a->cond)
            val = eval_expr(ev, a->cond).i == 1 ? "true" : "false";
        fprintf(out, "  %c %-*s line %-4u %-6s %s\n", idx == fired ? '>' : ' ',
                width, a->decision, al.line, val, a->cond ? expr_text(c, a->cond) : "otherwise");
        const char *because = idx == fired ? result_because(p, res, table, r) : NULL;
        if (because)
            fprintf(out, "    because \"%s\"\n", because);
        if (idx == fired)
            break;
    }
    res->score_ready = ready;
}

/* For each service attribute the trace read, the smallest change of it
 * alone that flips the decision d0 (numbers: either way, within the
 * schema; symbols: the first allowed value that flips), smallest
 * relative change first, ties in attribute order. */
static PtrVec find_flips(Eval *ev, uint32_t r, uint32_t table, Decision d0)
{
    Compilation *c = ev->c;
    KindTable *svc = kind_table(c, EK_SERVICE);
    PtrVec flips = {0};
    bool *read = attrs_read(ev, r);
    bool saved_tracing = ev->tracing;
    ev->tracing = false;   /* the search's reads are not the explanation's */
    for (uint32_t slot = 0; slot < svc->nattrs; slot++) {
        if (!read[slot])
            continue;
        const AttrDef *a = &svc->attrs[slot];
        if (a->type.kind == T_NUMBER && !isnan(col_num(svc, (int)slot, r))) {
            Flip best = {0};
            bool have = false;
            for (int dir = -1; dir <= 1; dir += 2) {
                Flip f = {0};
                bool ok = search_numeric(ev, r, table, (int)slot, dir, &f);
                if (ok && (!have || f.rel < best.rel)) {
                    best = f;
                    have = true;
                }
            }
            if (have) {
                Flip *f = ARENA_NEW(&c->arena, Flip);
                *f = best;
                ptrvec_push(&c->arena, &flips, f);
            }
        } else if (a->type.kind == T_SYMBOL && a->nallowed) {
            column_materialize(c, svc, (int)slot);   /* the search writes the cell */
            int32_t *cell = &svc->cols[slot].i32[r];
            int32_t v0 = *cell;
            for (uint32_t k = 0; k < a->nallowed; k++) {
                int32_t v = atom_id(c, a->allowed[k]);
                if (v == v0)
                    continue;
                Decision dn = decide_with_sym(ev, r, table, cell, v);
                if (dn != d0) {
                    Flip *f = ARENA_NEW(&c->arena, Flip);
                    f->slot = (int)slot;
                    f->sym_to = a->allowed[k];
                    f->from = v0;
                    f->becomes = dn;
                    f->rel = 1;
                    ptrvec_push(&c->arena, &flips, f);
                    break;
                }
            }
        }
    }
    ev->tracing = saved_tracing;
    /* smallest relative change first; ties by attribute order */
    for (uint32_t i = 1; i < flips.len; i++)
        for (uint32_t j = i; j > 0; j--) {
            Flip *a = flips.items[j - 1], *b = flips.items[j];
            if (b->rel < a->rel) {
                flips.items[j - 1] = b;
                flips.items[j] = a;
            }
        }
    return flips;
}

static void print_flips(Compilation *c, FILE *out, const PtrVec *flips)
{
    KindTable *svc = kind_table(c, EK_SERVICE);
    fputs("\nsmallest single change that flips the decision:\n", out);
    if (!flips->len)
        fputs("  none found: no one input the scores and arms read changes it\n", out);
    for (uint32_t i = 0; i < flips->len; i++) {
        Flip *f = flips->items[i];
        const AttrDef *a = &svc->attrs[f->slot];
        if (f->sym_to) {
            fprintf(out, "  %-16s %s -> %s  would make it %s\n", a->name,
                    atom_name(c, (int32_t)f->from), f->sym_to,
                    f->becomes >= 0 ? outcome_name(c->program, f->becomes) : "undecided");
        } else {
            char num[40], pct[48] = "";
            /* a change from 0 has no relative size: no percentage, not "+0.0%" */
            if (f->from != 0)
                snprintf(pct, sizeof pct, " (%+.1f%%)",
                         100 * (f->to - f->from) / fabs(f->from));
            fprintf(out, "  %-16s %s -> %s%s  would make it %s\n", a->name,
                    short_number(c, f->from),
                    arena_strndup(&c->arena, format_double(num, sizeof num, f->to),
                                  strlen(format_double(num, sizeof num, f->to))),
                    pct,
                    f->becomes >= 0 ? outcome_name(c->program, f->becomes) : "undecided");
        }
    }
}

static void print_norm_ranges(Eval *ev, FILE *out, const PtrVec *norm_sites)
{
    Compilation *c = ev->c;
    if (!norm_sites->len)
        return;
    fputs("\nportfolio ranges used by norm() (kept fixed while searching):\n", out);
    for (uint32_t i = 0; i < norm_sites->len; i++) {
        Expr *e = norm_sites->items[i];
        uint32_t k = (uint32_t)e->aux - 1;
        fprintf(out, "  %-28s min %s, max %s\n", expr_text(c, e),
                short_number(c, ev->norm_lo[k]), short_number(c, ev->norm_hi[k]));
    }
}

strat_status explain_service(Compilation *c, FILE *out, const char *service)
{
    if (!decide_have_results(c))
        return STRAT_FINDINGS;
    int table = decide_table_option(c, false);
    if (table < 0)
        return STRAT_FAILURE;
    Eval *ev = c->eval;
    KindTable *svc = kind_table(c, EK_SERVICE);
    /* `Email Archive Platform`, as a .strat file writes it, is that name */
    size_t len = strlen(service);
    if (len > 2 && service[0] == '`' && service[len - 1] == '`')
        service = arena_strndup(&c->arena, service + 1, len - 2);
    Name n = intern_cstr(c, service);
    int32_t row = kind_lookup(svc, n);
    if (row < 0) {
        Diag *d = diag_at(c, D_UNDEFINED, (Loc){0, 0, 0}, "no service `%s`", service);
        Name s = suggest_entity(c, KIND_BIT(EK_SERVICE), n);
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        return STRAT_FAILURE;
    }
    uint32_t r = (uint32_t)row;
    print_decision(c, out, r, (uint32_t)table);
    /* every norm() range from the portfolio as it is, before anything is
     * perturbed: whichever engine decided (the JIT fixes them up front,
     * the interpreter on first use), the search sees the same ranges */
    PtrVec norm_sites = {0};
    eval_fix_norm_ranges(ev, &norm_sites);
    /* from here to the end of the search scores are memoised for one
     * state of the inputs; decide_with_* forgets them at each change */
    eval_memo_begin(ev);
    print_scores_and_arms(ev, out, r, (uint32_t)table);
    PtrVec flips = find_flips(ev, r, (uint32_t)table,
                              (Decision)c->results->decisions[table][r]);
    ev->tracing = false;
    eval_memo_end(ev);
    print_flips(c, out, &flips);
    print_norm_ranges(ev, out, &norm_sites);
    return STRAT_OK;
}
