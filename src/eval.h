/*
 * eval.h — the interpreter (eval.c), and what a run reads and writes: the
 * values of expressions, the interpreter's state (Eval) and the scores
 * and decisions of every service (Results, filled by decide.c and jit.c).
 *
 * The interpreter is the reference semantics of Strat: the JIT must give
 * the same bits.  The rules it fixes:
 *   - numbers are IEEE doubles; a missing number is NaN, and NaN flows
 *     through arithmetic; a comparison with NaN is false;
 *   - min, max and clamp return NaN if any argument is NaN;
 *   - norm(x) = (x - lo) / (hi - lo) over the services, 0 when hi == lo;
 *   - division by zero follows IEEE (inf or NaN);
 *   - a score that comes out NaN or infinite is a diagnostic naming the
 *     service and the inputs it read, and the service gets no decision.
 */
#ifndef STRAT_EVAL_H
#define STRAT_EVAL_H

#include "program.h"

typedef struct Value {
    TypeKind kind;
    double num;              /* T_NUMBER */
    int32_t i;               /* bool, date, atom, entity row, decision */
    EntityKind ekind;        /* T_ENTITY */
    const int32_t *elems;    /* T_LIST of atoms, refs, bools */
    const double *nums;      /* T_LIST of numbers (literal lists only) */
    uint32_t len;
    TypeKind elem_kind;
} Value;

/* One attribute read while tracing (for explain). */
typedef struct TraceRead {
    EntityKind kind;
    uint32_t row;
    int slot;
    Value value;
} TraceRead;

typedef struct Results {
    uint32_t nservices, nscores;
    double *scores;          /* [score * nservices + row] */
    bool *score_ready;       /* per score: its column is complete */
    int8_t *decision;        /* table 0's outcome id (program.h), or DEC_NONE */
    int16_t *arm;            /* index of the arm that fired, -1 none */
    /* every decide table's, by Program.tables index ([0] is decision
     * and arm above): outcome id and arm per row */
    uint32_t ntables;
    int8_t **decisions;
    int16_t **arms;
    /* per table, the `because` text of each row when the table's arms
     * interpolate `{...}` (NULL for a table whose arms do not, and for a
     * row whose arm has no because); read it with result_because */
    const char ***because;
    /* per row: the `rank by` value, the rows sorted by rank and the rank
     * of each (1-based); all three NULL when nothing ranks (no `rank by`:
     * rows keep their order, 16 bytes a row never touched).  Read them
     * with result_row_at, result_rank and result_rank_value. */
    double *rank_value;
    uint32_t *order;
    uint32_t *rank;
    /* per row, NULL when none; the array itself NULL when the strategy
     * has no approval (a million-row run then zeroes no pointer per row):
     * read it with result_approvers */
    const char **approvers;
    bool *failed;            /* a score was NaN/inf */
    bool decided;
    /* per score, or NULL for every score (options.scores, decide.c):
     * computed by the decide stage, and written by decide's output */
    const bool *score_wanted;
    const bool *score_written;
} Results;

/* The row at rank position i (0-based). */
static inline uint32_t result_row_at(const Results *res, uint32_t i)
{
    return res->order ? res->order[i] : i;
}

/* Row r's rank, 1-based. */
static inline uint32_t result_rank(const Results *res, uint32_t r)
{
    return res->rank ? res->rank[r] : r + 1;
}

/* Row r's `rank by` value: NaN when nothing ranks. */
static inline double result_rank_value(const Results *res, uint32_t r)
{
    return res->rank_value ? res->rank_value[r] : __builtin_nan("");
}

/* The decide tables the per-service outputs (and `strat sql`) write as
 * columns, decision, arm and because each: the first this many. */
enum { MAX_TABLE_COLUMNS = 4 };

typedef struct Eval {
    Compilation *c;
    Program *p;
    Results *res;
    int32_t locals[16];
    EntityKind local_kinds[16];
    Value lets[LET_SLOTS];   /* values bound by `let`, by Expr.u.let.local */
    int32_t current;         /* the service being decided (approval `decision`) */
    /* norm(x) caches: lo/hi per call site (Expr.aux - 1) */
    double *norm_lo, *norm_hi;
    bool *norm_done;
    PtrVec norm_exprs;       /* the norm() call of each cache slot */
    uint32_t nnorm, norm_cap;
    /* exposure: risks of each service, chained (eval_first_risk); no
     * head a service when the strategy declares no risk */
    int32_t *risk_head, *risk_next;
    /* alignment: each objective's effective weight, worked out on first
     * use after the inputs last changed (eval_inputs_changed) */
    double *align_weight;
    uint8_t *align_state;
    int32_t *align_stack;
    bool align_ready;
    /* tracing for explain */
    bool tracing;
    PtrVec trace;            /* TraceRead* */
    /* memo of scores per (score, service), valid for one state of the
     * inputs: on while memo_on; an entry counts only when it carries the
     * current memo_epoch, so invalidating is one increment (see
     * eval_memo_begin) */
    struct ScoreMemo *memo;
    uint32_t memo_cap, memo_live, memo_epoch;
    bool memo_on;
} Eval;

void eval_init(Eval *ev, Compilation *c);
Value eval_expr(Eval *ev, Expr *e);
double eval_score(Eval *ev, Score *s, uint32_t row);
/* alignment(s) and exposure(s, category) of one service (the JIT reads
 * columns of these, computed by the same code). */
double eval_alignment(Eval *ev, int32_t row);
/* The first of a service's risks (ev->risk_next chains the rest), or -1. */
static inline int32_t eval_first_risk(const Eval *ev, uint32_t row)
{
    return ev->risk_head ? ev->risk_head[row] : -1;
}

double eval_exposure(Eval *ev, int32_t row, Name category);
/* The portfolio's inputs were changed in place (sensitivity's draws):
 * what the interpreter worked out from them once is worked out again. */
void eval_inputs_changed(Eval *ev);

/* Fixes the range of every norm() call of the scores, the decide arms and
 * `rank by` from the inputs as they are now (a call whose range is already
 * fixed keeps it).  Appends each call to sites (when not NULL), in the
 * order they appear in the program.  Explain calls it before its flip
 * search, so a perturbed input never moves a range, whichever engine
 * decided. */
void eval_fix_norm_ranges(Eval *ev, PtrVec *sites);

/* The score memo, for evaluations that call the same score again and
 * again on inputs that do not change meanwhile (explain's flip search and
 * so the HTML report; eval_score itself for the duration of a score
 * evaluated outside the columns).
 * Without it a score calling another twice, `score s1(s) = s0(s) +
 * s0(s)`, costs 2^k evaluations for a chain of k.  begin turns it on and
 * forgets what it held; invalidate forgets (call it after every change of
 * an input while it is on); end turns it off.  A memoised traced score
 * replays its reads (each distinct read once) into the trace. */
void eval_memo_begin(Eval *ev);
void eval_memo_invalidate(Eval *ev);
void eval_memo_end(Eval *ev);

/* The `because` of row's arm in table t: interpolated when it has `{...}`;
 * NULL when the arm has none or no arm fired. */
const char *result_because(const Program *p, const Results *res, uint32_t t, uint32_t row);
/* The same for a caller that holds the row's arm of table t (or NULL). */
static inline const char *result_because_of(const Results *res, uint32_t t, uint32_t row,
                                            const Arm *arm)
{
    if (res->because && res->because[t] && res->because[t][row])
        return res->because[t][row];
    return arm && arm->because.s ? arm->because.s : NULL;
}
/* The roles that must approve row's decision, "a, b"; NULL when none. */
static inline const char *result_approvers(const Results *res, uint32_t row)
{
    return res->approvers ? res->approvers[row] : NULL;
}

/* Formats a value for people ("42", "catalogue", "checkout", "[a, b]"). */
const char *value_text(Compilation *c, const Value *v);

#endif
