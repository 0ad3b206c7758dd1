/*
 * decide.c — the last stage, running the program: scenario, scores (the
 * JIT's kernel where it compiles, the interpreter for the rest), the
 * decide table, rank, approvals; then governance rules with their
 * waivers, and portfolio limits, as diagnostics.  Also the strategy's
 * own tests.
 *
 * Takes a checked Program that nothing blocks (diag_blocked: findings
 * such as an expired waiver or a broken rule do not); gives Results
 * (eval.h).  `check` asks for it too, so CI sees rule, limit and NaN
 * findings without a second command.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "decide.h"
#include "diag.h"
#include "intern.h"
#include "jit.h"
#include "json.h"
#include "parallel.h"
#include "unparse.h"
#include "source.h"

/* ---- scenario ------------------------------------------------------------- */

static Decl *find_scenario(Compilation *c, const char *name)
{
    for (uint32_t i = 0; i < c->program->scenarios.len; i++) {
        Decl *d = c->program->scenarios.items[i];
        if (strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

/* Each `set` computes every new value first, then writes them: a row's
 * new value never depends on another row's already-changed one. */
static void apply_scenario(Eval *ev, Decl *d)
{
    Compilation *c = ev->c;
    for (SetStmt *st = d->sets; st; st = st->next) {
        if (st->target->u.attr.slot < 0)
            continue;
        EntityKind k = (EntityKind)st->entity_kind;
        KindTable *t = kind_table(c, k);
        int slot = st->target->u.attr.slot;
        const AttrDef *a = &t->attrs[slot];
        if (a->type.kind == T_LIST)
            continue;   /* the checker refuses lists in `set` */
        bool is_num = a->type.kind == T_NUMBER;
        double *nv = arena_alloc(&c->arena, sizeof(double) * (t->count + 1));
        uint8_t *hit = arena_alloc(&c->arena, t->count + 1);
        int local = name_slot(st->target->u.attr.obj);
        for (uint32_t r = 0; r < t->count; r++) {
            ev->locals[local] = (int32_t)r;
            ev->local_kinds[local] = k;
            hit[r] = !st->where || eval_expr(ev, st->where).i == 1;
            if (hit[r]) {
                Value v = eval_expr(ev, st->value);
                /* symbols, strings, bools, dates and refs travel as i32 */
                nv[r] = is_num ? v.num : (double)(a->type.kind == T_ENTITY
                                                      ? ref_encode(a->type.kinds, v.ekind, v.i)
                                                      : v.i);
            }
        }
        uint32_t nhit = 0;
        for (uint32_t r = 0; r < t->count; r++)
            nhit += hit[r];
        if (nhit == 0)   /* a what-if that changes nothing must say so */
            diag_at(c, D_SET_NO_MATCH, st->loc, "`set` in scenario `%s` matches no %s: "
                    "the scenario changes nothing here", d->name, entity_kind_name(k));
        column_materialize(c, t, slot);
        for (uint32_t r = 0; r < t->count; r++) {
            if (!hit[r])
                continue;
            if (is_num)
                t->cols[slot].num[r] = nv[r];
            else
                t->cols[slot].i32[r] = (int32_t)nv[r];
        }
        eval_inputs_changed(ev);   /* a later `set` sees this one's values */
    }
}

/* ---- scores --------------------------------------------------------------- */

static const char *trace_text(Eval *ev)
{
    Compilation *c = ev->c;
    const char *out = "";
    uint32_t shown = 0;
    for (uint32_t i = 0; i < ev->trace.len && shown < 8; i++) {
        TraceRead *tr = ev->trace.items[i];
        bool dup = false;
        for (uint32_t j = 0; j < i; j++) {
            TraceRead *o = ev->trace.items[j];
            dup |= o->kind == tr->kind && o->row == tr->row && o->slot == tr->slot;
        }
        if (dup)
            continue;
        KindTable *t = kind_table(c, tr->kind);
        out = arena_printf(&c->arena, "%s%s%s = %s", out, shown ? ", " : "",
                           t->attrs[tr->slot].name, value_text(c, &tr->value));
        shown++;
    }
    return shown ? out : "no attributes";
}

enum { MAX_NAN_REPORTS = 20 };

/* Scores by the interpreter, or (computed) only the NaN reports for
 * scores the JIT already wrote. */
static void compute_scores(Eval *ev, Results *res, bool computed)
{
    Compilation *c = ev->c;
    Program *p = ev->p;
    KindTable *svc = kind_table(c, EK_SERVICE);
    PtrVec order = {0};
    bool *seen = ARENA_ARRAY(&c->arena, bool, p->scores.len + 1);
    for (uint32_t i = 0; i < p->scores.len; i++)
        if (!res->score_wanted || res->score_wanted[i])
            order_scores(c, p->scores.items[i], &order, seen);
    for (uint32_t i = 0; i < order.len; i++) {
        Score *s = order.items[i];
        double *col = res->scores + (size_t)s->index * res->nservices;
        unsigned reported = 0, more = 0;
        for (uint32_t r = 0; r < svc->count; r++) {
            double v = computed ? col[r] : eval_score(ev, s, r);
            col[r] = v;
            if (isfinite(v))
                continue;
            res->failed[r] = true;
            if (reported >= MAX_NAN_REPORTS) {
                more++;
                continue;
            }
            reported++;
            ev->tracing = true;
            ev->trace.len = 0;
            eval_score(ev, s, r);
            ev->tracing = false;
            Diag *d = diag_at(c, D_NAN, row_loc(svc, r), "score `%s` is %s for service `%s` "
                                                      "(%s)", s->name,
                              isnan(v) ? "not a number" : "infinite", svc->names[r],
                              trace_text(ev));
            diag_note(c, d, s->decl->name_loc, "score `%s` is defined here", s->name);
            diag_hint(c, d, "give the inputs values (or defaults in the schema), or "
                            "guard the formula with `if defined(...)`");
        }
        if (more)
            diag_at(c, D_NAN, s->decl->name_loc, "score `%s` is not a finite number for "
                                                 "%u more services", s->name, more);
        res->score_ready[s->index] = true;
    }
}

/* ---- which scores: compute what is read ------------------------------------ */

typedef struct ReadScores {
    Compilation *c;
    PtrVec *out;
    bool *seen;
} ReadScores;

static void read_expr(ReadScores *rs, Expr *e)
{
    if (e)
        score_deps(rs->c, e, rs->out, rs->seen);
}

static void read_items(ReadScores *rs, Item *it)
{
    for (; it; it = it->next) {
        read_expr(rs, it->value);
        read_items(rs, it->items);
    }
}

/* Marks in wanted every score an expression outside the scores calls (a
 * decide arm, rank, rule, limit, approval, test, scenario, ...), and what
 * those call in turn. */
static void mark_read_scores(Compilation *c, bool *wanted)
{
    PtrVec read = {0};
    bool *seen = ARENA_ARRAY(&c->arena, bool, c->program->scores.len + 1);
    ReadScores rs = {c, &read, seen};
    for (uint32_t f = 0; f < c->sources.len; f++) {
        for (Decl *d = ((Source *)c->sources.items[f])->decls; d; d = d->next) {
            if (d->kind == D_SCORE)
                continue;
            read_expr(&rs, d->expr);
            read_expr(&rs, d->rank);
            for (Arm *a = d->arms; a; a = a->next) {
                read_expr(&rs, a->cond);
                for (BecausePart *part = a->parts; part; part = part->next)
                    read_expr(&rs, part->expr);
            }
            for (SetStmt *st = d->sets; st; st = st->next) {
                read_expr(&rs, st->value);
                read_expr(&rs, st->where);
            }
            for (Expect *x = d->expects; x; x = x->next)
                read_expr(&rs, x->cond);
            read_items(&rs, d->items);
        }
    }
    for (uint32_t i = 0; i < read.len; i++)
        wanted[((Score *)read.items[i])->index] = true;
}

/* Sets res->score_wanted and res->score_written from options.scores (see
 * strat.h); false when it names a score the strategy lacks (reported). */
static bool choose_scores(Compilation *c, Results *res)
{
    const char *spec = c->opts.scores;
    Program *p = c->program;
    uint32_t n = p->scores.len;
    if (!spec || strcmp(spec, "all") == 0)
        return true;
    bool *wanted = ARENA_ARRAY(&c->arena, bool, n + 1);
    bool *written = ARENA_ARRAY(&c->arena, bool, n + 1);
    /* the strategy's own scores: a NaN in one leaves its service undecided,
     * whichever columns are written */
    for (uint32_t i = 0; i < n; i++) {
        Score *s = p->scores.items[i];
        Source *src = source_get(c, s->decl->loc.file);
        wanted[i] = !(src && src->is_stdlib);
    }
    mark_read_scores(c, wanted);
    if (*spec == '\0') {
        memcpy(written, wanted, n);
    } else {
        for (const char *at = spec; *at;) {
            size_t len = strcspn(at, ",");
            Name name = intern(c, at, len);
            Score *s = namemap_get(&p->score_map, name);
            if (!s) {
                Diag *d = diag_at(c, D_UNKNOWN_SCORE, (Loc){0, 0, 0},
                                  "--scores names no score `%s`", name);
                Name *names = ARENA_ARRAY(&c->arena, Name, n + 1);
                for (uint32_t i = 0; i < n; i++)
                    names[i] = ((Score *)p->scores.items[i])->name;
                Name hint = suggest_name(name, names, n);
                if (hint)
                    diag_hint(c, d, "did you mean `%s`?", hint);
                return false;
            }
            written[s->index] = wanted[s->index] = true;
            at += len + (at[len] == ',');
        }
    }
    /* a score --columns names is computed and written (a name that is no
     * score is emit.c's to report) */
    for (const char *at = c->opts.columns; at && *at;) {
        size_t len = strcspn(at, ",");
        Score *s = namemap_get(&p->score_map, intern(c, at, len));
        if (s)
            written[s->index] = wanted[s->index] = true;
        at += len + (at[len] == ',');
    }
    res->score_wanted = wanted;
    res->score_written = written;
    return true;
}

Results *decide_all_scores(Compilation *c)
{
    Results *res = c->results;
    Eval *ev = c->eval;
    if (!res || !ev || !res->score_wanted)
        return res;
    PtrVec order = {0};
    bool *seen = ARENA_ARRAY(&c->arena, bool, res->nscores + 1);
    for (uint32_t i = 0; i < res->nscores; i++)
        order_scores(c, c->program->scores.items[i], &order, seen);
    for (uint32_t i = 0; i < order.len; i++) {
        Score *s = order.items[i];
        if (res->score_ready[s->index])
            continue;
        double *col = res->scores + (size_t)s->index * res->nservices;
        for (uint32_t r = 0; r < res->nservices; r++)
            col[r] = eval_score(ev, s, r);
        res->score_ready[s->index] = true;
    }
    res->score_wanted = res->score_written = NULL;
    return res;
}

/* ---- decide, rank, approvals ---------------------------------------------- */

void decide_table_row(Eval *ev, uint32_t t, uint32_t row)
{
    Results *res = ev->res;
    if (t >= res->ntables)
        return;
    Decl *d = program_table(ev->p, t)->decl;
    /* table 0's through decision and arm: a copy of the Results (a
     * sensitivity run's) has its own */
    int8_t *decision = t ? res->decisions[t] : res->decision;
    int16_t *arm = t ? res->arms[t] : res->arm;
    decision[row] = DEC_NONE;
    arm[row] = -1;
    if (res->failed[row] || !d)
        return;
    ev->locals[0] = (int32_t)row;
    ev->local_kinds[0] = EK_SERVICE;
    int16_t i = 0;
    for (Arm *a = d->arms; a; a = a->next, i++) {
        if (a->cond && eval_expr(ev, a->cond).i != 1)
            continue;
        decision[row] = (int8_t)a->dec;
        arm[row] = i;
        return;
    }
}

void decide_row(Eval *ev, uint32_t row)
{
    decide_table_row(ev, 0, row);
}

/* The `because` texts of table t's rows whose arm interpolates. */
static void interpolate_because(Eval *ev, Results *res, uint32_t t)
{
    Compilation *c = ev->c;
    const DecideTable *table = program_table(ev->p, t);
    if (!table->interpolates)
        return;
    const char **texts = ARENA_ARRAY(&c->arena, const char *, res->nservices + 1);
    res->because[t] = texts;
    for (uint32_t r = 0; r < res->nservices; r++) {
        const Arm *a = table_arm_at(table, res->arms[t][r]);
        if (!a || !a->parts)
            continue;
        ev->locals[0] = (int32_t)r;
        ev->local_kinds[0] = EK_SERVICE;
        size_t len = 0, cap = 64;
        char *buf = arena_alloc(&c->arena, cap);
        for (const BecausePart *part = a->parts; part; part = part->next) {
            const char *piece = part->text;
            if (part->expr) {
                Value v = eval_expr(ev, part->expr);
                /* a text as itself, not as a string literal */
                Name text = v.kind == T_STRING ? atom_name(c, v.i) : NULL;
                piece = text ? text : value_text(c, &v);
            }
            size_t n = strlen(piece);
            if (len + n + 1 > cap) {
                size_t ncap = (len + n + 1) * 2;
                buf = arena_realloc(&c->arena, buf, cap, ncap);
                cap = ncap;
            }
            memcpy(buf + len, piece, n);
            len += n;
        }
        buf[len] = '\0';
        texts[r] = buf;
    }
}

/* Maps a double to an unsigned key with the same order (NaN last, as
 * unranked), flipped for a descending sort. */
static uint64_t rank_key(double v, bool desc)
{
    if (isnan(v))
        return UINT64_MAX;
    if (v == 0)
        v = 0;   /* -0 and +0 rank together */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    u = (u >> 63) ? ~u : u | (1ULL << 63);
    return desc ? UINT64_MAX - 1 - u : u;
}

/* Rows by rank value, ties in declaration order (file order, then CSV row
 * order): an LSD radix sort, stable and linear, since a million rows with
 * a handful of distinct values would make a comparison sort crawl through
 * ties. */
static void rank_rows(Eval *ev, Results *res, bool have_values)
{
    Compilation *c = ev->c;
    KindTable *svc = kind_table(c, EK_SERVICE);
    Decl *d = ev->p->rank_decl;
    uint32_t n = svc->count;
    if (!res->order)
        return;   /* nothing ranks: the rows keep their order (result_row_at) */
    bool desc = !(d && d->rank_order == SORT_ASC);
    uint32_t *rows = res->order;
    /* whether every row has the same key (a strategy without `rank by`:
     * all NaN), when the stable sort leaves rows in declaration order */
    bool one_key = true;
    uint64_t key0 = 0;
    for (uint32_t r = 0; r < n; r++) {
        double v = have_values ? res->rank_value[r] : NAN;
        if (!have_values && d && d->rank && !res->failed[r]) {
            ev->locals[0] = (int32_t)r;
            ev->local_kinds[0] = EK_SERVICE;
            v = eval_expr(ev, d->rank).num;
        }
        res->rank_value[r] = v;
        if (isnan(v) && !res->failed[r] && d && d->rank) {
            Diag *dg = diag_at(c, D_NAN, row_loc(svc, r),
                               "`rank by` is not a number for service `%s`: it is ranked last",
                               svc->names[r]);
            diag_note(c, dg, d->rank->loc, "the rank expression is here");
        }
        rows[r] = r;
        uint64_t key = rank_key(v, desc);
        if (r == 0)
            key0 = key;
        one_key &= key == key0;
    }
    if (one_key) {
        for (uint32_t r = 0; r < n; r++)
            res->rank[r] = r + 1;
        return;
    }
    /* The sort's buffers (20 bytes a row) are given back when it is done:
     * from the arena, so an allocation failure on the way strands nothing,
     * and after a mark, as the loop above has made every diagnostic and
     * value that must outlive them. */
    ArenaMark before_sort = arena_mark(&c->arena);
    uint64_t *keys = arena_alloc(&c->arena, sizeof(uint64_t) * (n + 1));
    uint64_t *keys2 = arena_alloc(&c->arena, sizeof(uint64_t) * (n + 1));
    uint32_t *rows2 = arena_alloc(&c->arena, sizeof(uint32_t) * (n + 1));
    for (uint32_t r = 0; r < n; r++)
        keys[r] = rank_key(res->rank_value[r], desc);
    /* LSD radix sort, stable, 11-bit digits: every histogram in one read,
     * a digit all keys share is skipped, the buffers swap roles each pass */
    enum { DIGIT_BITS = 11, DIGITS = (64 + DIGIT_BITS - 1) / DIGIT_BITS,
           BUCKETS = 1 << DIGIT_BITS };
    uint32_t (*count)[BUCKETS] = arena_alloc(&c->arena, sizeof(uint32_t) * BUCKETS * DIGITS);
    memset(count, 0, sizeof(uint32_t) * BUCKETS * DIGITS);
    for (uint32_t i = 0; i < n; i++)
        for (int dg = 0; dg < DIGITS; dg++)
            count[dg][(keys[i] >> (dg * DIGIT_BITS)) & (BUCKETS - 1)]++;
    for (int dg = 0; n > 0 && dg < DIGITS; dg++) {
        int shift = dg * DIGIT_BITS;
        uint32_t *cnt = count[dg];
        if (cnt[(keys[0] >> shift) & (BUCKETS - 1)] == n)
            continue;   /* every key has the same digit here */
        uint32_t sum = 0;
        for (int b = 0; b < BUCKETS; b++) {
            uint32_t k = cnt[b];
            cnt[b] = sum;
            sum += k;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t pos = cnt[(keys[i] >> shift) & (BUCKETS - 1)]++;
            keys2[pos] = keys[i];
            rows2[pos] = rows[i];
        }
        uint64_t *tk = keys;
        keys = keys2;
        keys2 = tk;
        uint32_t *tr = rows;
        rows = rows2;
        rows2 = tr;
    }
    if (rows != res->order)
        memcpy(res->order, rows, sizeof(uint32_t) * n);
    arena_release(&c->arena, before_sort);
    for (uint32_t i = 0; i < n; i++)
        res->rank[res->order[i]] = i + 1;
}

static void attach_approvers(Eval *ev, Results *res)
{
    Compilation *c = ev->c;
    Program *p = ev->p;
    KindTable *svc = kind_table(c, EK_SERVICE);
    if (!p->approvals.len)
        return;   /* res->approvers stays NULL: no row has any */
    res->approvers = ARENA_ARRAY(&c->arena, const char *, svc->count + 1);
    for (uint32_t r = 0; r < svc->count; r++) {
        if (res->decision[r] == DEC_NONE)
            continue;
        ev->current = (int32_t)r;
        ev->locals[0] = (int32_t)r;
        ev->local_kinds[0] = EK_SERVICE;
        const char *list = NULL;
        Name named[32];
        uint32_t nnamed = 0;
        for (uint32_t i = 0; i < p->approvals.len; i++) {
            Expr *when, *who;
            approval_parts(c, p->approvals.items[i], &when, &who);
            if (!who || (when && eval_expr(ev, when).i != 1))
                continue;
            /* a role named by several matching approvals is listed once */
            bool seen = false;
            for (uint32_t j = 0; j < nnamed && !seen; j++)
                seen = named[j] == who->u.name.id;
            if (seen)
                continue;
            if (nnamed < 32)
                named[nnamed++] = who->u.name.id;
            list = list ? arena_printf(&c->arena, "%s, %s", list, who->u.name.id)
                        : who->u.name.id;
        }
        res->approvers[r] = list;
    }
    ev->current = -1;
}

/* ---- rules, waivers, limits ------------------------------------------------- */

/* The waivers in force, by (rule, entity): one hashed look-up a violation,
 * not a scan of every waiver (a strategy with twenty thousand waivers was
 * checked in quadratic time).  Where two waivers cover the same violation,
 * the first declared is the one used, as the scan had it. */
typedef struct WaiverIndex {
    Waiver **slots;
    uint32_t cap;
} WaiverIndex;

static uint32_t waiver_hash(const Rule *rule, EntityKind k, int32_t row)
{
    uint64_t h = (uint64_t)(uintptr_t)rule * 0x9E3779B97F4A7C15ULL;
    h ^= ((uint64_t)k << 32 | (uint32_t)row) * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    return (uint32_t)h;
}

static WaiverIndex waiver_index(Compilation *c, Program *p)
{
    WaiverIndex ix = {NULL, 16};
    while (ix.cap < 2 * p->waivers.len)
        ix.cap *= 2;
    ix.slots = ARENA_ARRAY(&c->arena, Waiver *, ix.cap);
    for (uint32_t i = 0; i < p->waivers.len; i++) {
        Waiver *w = p->waivers.items[i];
        if (!w->rule || w->entity < 0 || w->until < p->today)
            continue;
        uint32_t j = waiver_hash(w->rule, w->entity_kind, w->entity) & (ix.cap - 1);
        while (ix.slots[j] && !(ix.slots[j]->rule == w->rule &&
                                ix.slots[j]->entity_kind == w->entity_kind &&
                                ix.slots[j]->entity == w->entity))
            j = (j + 1) & (ix.cap - 1);
        if (!ix.slots[j])
            ix.slots[j] = w;
    }
    return ix;
}

static Waiver *find_waiver(const WaiverIndex *ix, Rule *rule, EntityKind k, int32_t row)
{
    uint32_t j = waiver_hash(rule, k, row) & (ix->cap - 1);
    for (Waiver *w; (w = ix->slots[j]); j = (j + 1) & (ix->cap - 1))
        if (w->rule == rule && w->entity_kind == k && w->entity == row)
            return w;
    return NULL;
}

static void run_rules(Eval *ev)
{
    Compilation *c = ev->c;
    Program *p = ev->p;
    WaiverIndex waivers = waiver_index(c, p);
    for (uint32_t i = 0; i < p->rules.len; i++) {
        Rule *rule = p->rules.items[i];
        Expr *e = rule->decl->expr;
        Severity sev = rule->decl->severity;
        if (e->kind == EX_QUANT && e->u.quant.is_all && e->type &&
            e->type->kind == T_BOOL) {
            /* all x in K where P : Q — each x with P and not Q violates */
            EntityKind k = (EntityKind)e->u.quant.entity_kind;
            KindTable *t = kind_table(c, k);
            int slot = e->u.quant.local;
            unsigned reported = 0, more = 0;
            for (uint32_t r = 0; r < t->count; r++) {
                ev->locals[slot] = (int32_t)r;
                ev->local_kinds[slot] = k;
                if (e->u.quant.where && eval_expr(ev, e->u.quant.where).i != 1)
                    continue;
                if (eval_expr(ev, e->u.quant.body).i == 1)
                    continue;
                Waiver *w = find_waiver(&waivers, rule, k, (int32_t)r);
                if (w) {
                    w->used = true;
                    continue;
                }
                if (reported >= 200) {
                    more++;
                    continue;
                }
                reported++;
                Diag *d = diag_sev(c, D_RULE_VIOLATION, sev, row_loc(t, r),
                                   "%s `%s` breaks rule `%s`: %s", entity_kind_name(k),
                                   t->names[r], rule->name, rule->decl->text.s);
                diag_note(c, d, rule->decl->name_loc, "rule `%s` is here", rule->name);
            }
            if (more)
                diag_sev(c, D_RULE_VIOLATION, sev, rule->decl->name_loc,
                         "rule `%s` is broken by %u more %ss", rule->name, more,
                         entity_kind_name(k));
            continue;
        }
        if (eval_expr(ev, e).i != 1)
            diag_sev(c, D_RULE_VIOLATION, sev, rule->decl->name_loc,
                     "rule `%s` does not hold: %s", rule->name, rule->decl->text.s);
    }
    for (uint32_t i = 0; i < p->waivers.len; i++) {
        Waiver *w = p->waivers.items[i];
        if (!w->used && w->rule && w->entity >= 0 && w->until >= p->today) {
            Diag *d = diag_at(c, D_WAIVER_UNUSED, w->decl->name_loc,
                              "waiver `%s` is unused: `%s` does not break rule `%s`",
                              w->name, entity_label(c, w->entity_kind, w->entity),
                              w->rule->name);
            diag_hint(c, d, "remove the waiver");
        }
    }
}

static void run_limits(Eval *ev)
{
    Compilation *c = ev->c;
    Program *p = ev->p;
    for (uint32_t i = 0; i < p->limits.len; i++) {
        Decl *d = p->limits.items[i];
        Expr *e = d->expr;
        if (eval_expr(ev, e).i == 1)
            continue;
        if (e->kind == EX_BINARY && e->u.ops.op >= OP_LT && e->u.ops.op <= OP_GE) {
            char a[40], b[40];
            format_double(a, sizeof a, eval_expr(ev, e->u.ops.a).num);
            format_double(b, sizeof b, eval_expr(ev, e->u.ops.b).num);
            diag_at(c, D_LIMIT_VIOLATION, d->name_loc,
                    "limit `%s` is violated: %s (%s %s %s does not hold)", d->name,
                    d->text.s, a, op_text(e->u.ops.op), b);
        } else {
            diag_at(c, D_LIMIT_VIOLATION, d->name_loc, "limit `%s` is violated: %s",
                    d->name, d->text.s);
        }
    }
}

/* ---- the pipeline ------------------------------------------------------------ */

static Results *new_results(Compilation *c, uint32_t n, uint32_t nscores, uint32_t ntables,
                            bool ranked)
{
    Results *res = ARENA_NEW(&c->arena, Results);
    res->nservices = n;
    res->nscores = nscores;
    /* res->scores: decide_run, once it knows which columns are computed */
    res->score_ready = ARENA_ARRAY(&c->arena, bool, nscores + 1);
    /* the per-row arrays in one block, widest first (each stays aligned),
     * zeroed across the cores: at a million rows they are 4 MB (20 with
     * `rank by`) of fresh pages, whose first touch was most of the decide
     * stage */
    size_t rows = (size_t)n + 1;
    size_t rank_bytes = ranked ? sizeof(double) + 2 * sizeof(uint32_t) : 0;
    char *block = parallel_zalloc(c, rows * (rank_bytes + sizeof(int16_t) + sizeof(int8_t) +
                                             sizeof(bool)));
    if (ranked) {
        res->rank_value = (double *)(void *)block;
        res->order = (uint32_t *)(void *)(block += rows * sizeof(double));
        res->rank = (uint32_t *)(void *)(block += rows * sizeof(uint32_t));
        block += rows * sizeof(uint32_t);
    }
    res->arm = (int16_t *)(void *)block;
    res->decision = (int8_t *)(block += rows * sizeof(int16_t));
    res->failed = (bool *)(block + rows * sizeof(int8_t));
    res->ntables = ntables ? ntables : 1;
    res->decisions = ARENA_ARRAY(&c->arena, int8_t *, res->ntables);
    res->arms = ARENA_ARRAY(&c->arena, int16_t *, res->ntables);
    res->because = ARENA_ARRAY(&c->arena, const char **, res->ntables);
    res->decisions[0] = res->decision;
    res->arms[0] = res->arm;
    for (uint32_t t = 1; t < ntables; t++) {
        res->decisions[t] = parallel_zalloc(c, sizeof(int8_t) * ((size_t)n + 1));
        res->arms[t] = parallel_zalloc(c, sizeof(int16_t) * ((size_t)n + 1));
    }
    return res;
}

Results *decide_run(Compilation *c)
{
    Program *p = c->program;
    Eval *ev = ARENA_NEW(&c->arena, Eval);
    eval_init(ev, c);
    if (c->opts.scenario) {
        Decl *sc = find_scenario(c, c->opts.scenario);
        if (!sc) {
            Diag *d = diag_at(c, D_UNKNOWN_SCENARIO, (Loc){0, 0, 0},
                              "unknown scenario `%s`", c->opts.scenario);
            PtrVec names = {0};
            for (uint32_t i = 0; i < p->scenarios.len; i++)
                ptrvec_push(&c->arena, &names, (void *)((Decl *)p->scenarios.items[i])->name);
            Name s = suggest_name(intern_cstr(c, c->opts.scenario),
                                  (Name const *)names.items, names.len);
            if (s)
                diag_hint(c, d, "did you mean `%s`?", s);
            return NULL;
        }
        apply_scenario(ev, sc);
    }
    KindTable *svc = kind_table(c, EK_SERVICE);
    Results *res = new_results(c, svc->count, p->scores.len, p->tables.len,
                               p->rank_decl && p->rank_decl->rank);
    if (!choose_scores(c, res))
        return NULL;
    /* only the columns computed are zeroed: a column nothing computes is
     * never touched, so never paged in */
    size_t score_bytes = sizeof(double) * ((size_t)svc->count * p->scores.len + 1);
    if (!res->score_wanted) {
        res->scores = parallel_zalloc(c, score_bytes);
    } else {
        res->scores = arena_alloc(&c->arena, score_bytes);
        for (uint32_t i = 0; i < p->scores.len; i++)
            if (res->score_wanted[i])
                parallel_zero(c, res->scores + (size_t)i * svc->count,
                              sizeof(double) * svc->count);
    }
    ev->res = res;
    c->results = res;
    /* auto: jit_run itself declines when compiling would not pay */
    bool use_jit = c->opts.jit == STRAT_JIT_ON ||
                   (c->opts.jit == STRAT_JIT_AUTO && svc->count >= JIT_AUTO_WARM);
    bool jitted = false, jit_decided = false;
    double t0 = now_ms();
    if (use_jit && svc->count > 0) {
        jitted = jit_run(ev, res, &jit_decided);
        if (!jitted && c->opts.verbose && c->opts.jit == STRAT_JIT_ON)
            diag_log(c, "jit", "unavailable; interpreting");
    }
    compute_scores(ev, res, jitted);
    /* table 0 as the JIT decided it; the named tables after it by the
     * interpreter, reading the score columns */
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        if (t > 0 || !jit_decided)
            for (uint32_t r = 0; r < svc->count; r++)
                decide_table_row(ev, t, r);
        res->decided = true;
        /* a table without `otherwise` can leave a service undecided */
        for (uint32_t r = 0; r < svc->count; r++)
            if (res->decisions[t][r] == DEC_NONE && !res->failed[r]) {
                Diag *dg;
                if (table->name)
                    dg = diag_at(c, D_NO_DECISION, row_loc(svc, r),
                                 "service `%s` matches no arm of decide table `%s`",
                                 svc->names[r], table->name);
                else
                    dg = diag_at(c, D_NO_DECISION, row_loc(svc, r),
                                 "service `%s` matches no arm of the decision table",
                                 svc->names[r]);
                diag_hint(c, dg, table->name ? "end the table with an `otherwise` arm"
                                             : "end the table with `tolerate otherwise`");
            }
        interpolate_because(ev, res, t);
    }
    verbose_time(c, jitted ? "score (jit)" : "score (interpreter)", t0);
    if (p->decide) {
        t0 = now_ms();
        rank_rows(ev, res, jit_decided && p->rank_decl == p->decide);
        attach_approvers(ev, res);
        verbose_time(c, "rank", t0);
    }
    run_rules(ev);
    if (p->decide)
        run_limits(ev);
    c->eval = ev;
    return res;
}

/* ---- --table --------------------------------------------------------------------- */

int decide_table_option(Compilation *c, bool printed)
{
    Program *p = c->program;
    if (!c->opts.table)
        return 0;
    DecideTable *t = program_table_named(c, intern_cstr(c, c->opts.table));
    if (t)
        return (int)t->index;
    Name names[MAX_OUTCOMES];
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->tables.len && n < MAX_OUTCOMES; i++)
        if (program_table(p, i)->name)
            names[n++] = program_table(p, i)->name;
    Name hint = suggest_name(intern_cstr(c, c->opts.table), names, n);
    if (printed) {   /* the diagnostics are out: a log line says it */
        diag_log(c, "error", "--table names no decide table `%s`%s%s%s [S0921]", c->opts.table,
                 hint ? " (did you mean `" : "", hint ? hint : "", hint ? "`?)" : "");
        return -1;
    }
    Diag *d = diag_at(c, D_UNKNOWN_TABLE, (Loc){0, 0, 0}, "--table names no decide table `%s`",
                      c->opts.table);
    if (hint)
        diag_hint(c, d, "did you mean `%s`?", hint);
    return -1;
}

/* ---- tests ---------------------------------------------------------------------- */

void decide_tests(Compilation *c, FILE *out, unsigned *passed, unsigned *failed)
{
    Program *p = c->program;
    Eval *ev = c->eval;
    *passed = *failed = 0;
    if (!ev)
        return;
    for (uint32_t i = 0; i < p->tests.len; i++) {
        Decl *t = p->tests.items[i];
        bool ok = true;
        for (Expect *x = t->expects; x; x = x->next) {
            Value v = eval_expr(ev, x->cond);
            if (v.i == 1)
                continue;
            ok = false;
            Expr *e = x->cond;
            if (e->kind == EX_BINARY && e->u.ops.op >= OP_EQ && e->u.ops.op <= OP_GE) {
                Value a = eval_expr(ev, e->u.ops.a), b = eval_expr(ev, e->u.ops.b);
                /* what was expected as written, then what the left side
                 * is: "expected decision(x) == tolerate, but it is retire" */
                Diag *d = diag_at(c, D_TEST_FAILED, x->loc, "test `%s` failed: expected %s "
                                                            "%s %s, but it is %s",
                                  t->name, expr_text(c, e->u.ops.a), op_text(e->u.ops.op),
                                  expr_text(c, e->u.ops.b), value_text(c, &a));
                if (e->u.ops.b->kind != EX_NUMBER && e->u.ops.b->kind != EX_NAME)
                    diag_hint(c, d, "%s is %s", expr_text(c, e->u.ops.b), value_text(c, &b));
            } else {
                diag_at(c, D_TEST_FAILED, x->loc, "test `%s` failed: the expectation is "
                                                  "false", t->name);
            }
        }
        if (ok) {
            (*passed)++;
            if (out)
                fprintf(out, "ok   %s\n", t->name);
        } else {
            (*failed)++;
            if (out)
                fprintf(out, "FAIL %s\n", t->name);
        }
    }
}

/* ---- what was decided --------------------------------------------------------- */

/* At the top of the first file the user named. */
static void report_no_decide(Compilation *c)
{
    Diag *d = diag_at(c, D_NO_DECIDE, first_user_file(c), "the strategy has no decide block: nothing to decide");
    diag_hint(c, d, "write `decide { ... }`, or import \"std/time\" for the TIME table");
}

bool decide_have_results(Compilation *c)
{
    if (c->results && !c->results->decided)
        report_no_decide(c);
    return c->eval && c->results && c->results->decided;
}
