/*
 * jit.c — compiling scores and the decide table with libgccjit.
 *
 * Takes the checked Program and the portfolio's columns; gives, for every
 * service, each score, the decision, the arm that fired and the rank
 * value — the same bits the interpreter gives (eval.c is the reference).
 *
 * All of it is one function, compiled once per run in one context:
 *
 *   void strat_kernel(double **num, int32_t **i32, uint32_t **spans,
 *                     const double *params, const int32_t *atoms,
 *                     double **extra, double *scores, int8_t *decision,
 *                     int16_t *arm, double *rank, uint8_t *failed,
 *                     int32_t begin, int32_t end, int32_t n)
 *
 * streaming the service columns row by row.  Things that depend on the
 * data rather than the rules are parameters, not constants: the range of
 * each norm() call, the atom id of each symbol, the alignment and exposure
 * columns (computed by the interpreter's own functions).  So the compiled
 * code depends only on the rules, and a second run on new data loads it
 * from the cache ($XDG_CACHE_HOME/strat/HASH.so) instead of compiling.
 *
 * Equal bits: the same operations in the same order, -ffp-contract=off
 * (no FMA), NaN rules spelled out exactly as eval.c has them, libm's own
 * sqrt/log/pow.  An expression the JIT does not handle (quantifiers,
 * references through other entities, dates but the days between two,
 * lists beyond count) makes its score or the decide table fall back to the
 * interpreter, reported with --verbose.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <libgccjit.h>
#include <math.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demand.h"
#include "diag.h"
#include "intern.h"
#include "jit.h"

/* The first 16 hex digits of this file's SHA-256 (the Makefile passes it):
 * part of the cache key (section 1 below). */
#ifndef STRAT_JIT_SOURCE
#define STRAT_JIT_SOURCE "unknown"
#endif
#include "json.h"
#include "numeric.h"
#include "parallel.h"

/* ---- libgccjit, loaded when the JIT is about to be used ---------------------
 *
 * strat is not linked with libgccjit: its 30 MB and hundred thousand
 * relocations would be paid by every process at start-up (some 4 ms), and
 * most runs (check, a small decide, the language server) never compile.
 * The library is dlopen'ed the first time a run compiles, or needs its
 * version for the cache key and the cache has no note of it
 * (compiler_identify), and the functions below are found by name: first in
 * the global scope, so that a definition in the executable or an
 * LD_PRELOAD library interposes as under ordinary linking
 * (tests/unit/test_jit_cache.c relies on it), then in the library itself.
 * The table is the process's, filled once (pthread_once) and never changed
 * after: the compilations share it as they would share the linked library.
 * When the library cannot be loaded, everything is interpreted (said with
 * --verbose). */
#define GCCJIT_FUNCTIONS(X)                                                               \
    X(block_add_assignment) X(block_add_assignment_op) X(block_end_with_conditional)       \
    X(block_end_with_jump) X(block_end_with_return) X(block_end_with_void_return)          \
    X(context_acquire) X(context_add_command_line_option) X(context_compile)               \
    X(context_compile_to_file) X(context_get_first_error) X(context_get_type)              \
    X(context_new_array_access) X(context_new_binary_op) X(context_new_call)               \
    X(context_new_cast) X(context_new_comparison) X(context_new_function)                  \
    X(context_new_param) X(context_new_rvalue_from_double) X(context_new_rvalue_from_int)  \
    X(context_new_string_literal) X(context_new_unary_op) X(context_release)               \
    X(context_set_int_option) X(function_new_block) X(function_new_local)                  \
    X(lvalue_as_rvalue) X(param_as_rvalue) X(result_get_code) X(result_release)            \
    X(type_get_pointer) X(version_major) X(version_minor) X(version_patchlevel)

#define GCCJIT_FIELD(name) __typeof__(gcc_jit_##name) *name;
typedef struct GccJit {
    GCCJIT_FUNCTIONS(GCCJIT_FIELD)
    void *handle;
    bool loaded;
    char error[256];          /* why not, when not loaded */
} GccJit;
#undef GCCJIT_FIELD

static GccJit gccjit;
static pthread_once_t gccjit_once = PTHREAD_ONCE_INIT;

/* The soname a distribution's libgccjit0 installs. */
#define GCCJIT_LIBRARY "libgccjit.so.0"

static void gccjit_open(void)
{
    /* STRAT_LIBGCCJIT: another file (a libgccjit outside the loader's
     * path; the tests name one that does not exist).  Ignored in a
     * setuid process, as LD_LIBRARY_PATH is. */
    const char *env = secure_getenv("STRAT_LIBGCCJIT");
    const char *lib = env && *env ? env : GCCJIT_LIBRARY;
    /* global: a test's interposed function finds the real one with
     * RTLD_NEXT; never unloaded (a kernel's result may be kept to the
     * end, and libgccjit is not made to be unloaded) */
    void *h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    if (!h) {
        const char *e = dlerror();
        snprintf(gccjit.error, sizeof gccjit.error, "%s", e ? e : "dlopen failed");
        return;
    }
#define GCCJIT_FIND(name)                                                                 \
    if (!(*(void **)&gccjit.name = dlsym(RTLD_DEFAULT, "gcc_jit_" #name)) &&              \
        !(*(void **)&gccjit.name = dlsym(h, "gcc_jit_" #name))) {                         \
        snprintf(gccjit.error, sizeof gccjit.error, "%s has no gcc_jit_%s", lib, #name);  \
        return;                                                                           \
    }
    GCCJIT_FUNCTIONS(GCCJIT_FIND)
#undef GCCJIT_FIND
    gccjit.handle = h;
    gccjit.loaded = true;
}

/* libgccjit's functions, loaded on the first call: NULL with *why set
 * when they cannot be had. */
static const GccJit *gccjit_load(const char **why)
{
    pthread_once(&gccjit_once, gccjit_open);
    *why = gccjit.error;
    return gccjit.loaded ? &gccjit : NULL;
}

/* From here on a call of gcc_jit_NAME goes through the table (loaded: the
 * plan is only made after gccjit_load succeeded). */
#define gcc_jit_block_add_assignment gccjit.block_add_assignment
#define gcc_jit_block_add_assignment_op gccjit.block_add_assignment_op
#define gcc_jit_block_end_with_conditional gccjit.block_end_with_conditional
#define gcc_jit_block_end_with_jump gccjit.block_end_with_jump
#define gcc_jit_block_end_with_return gccjit.block_end_with_return
#define gcc_jit_block_end_with_void_return gccjit.block_end_with_void_return
#define gcc_jit_context_acquire gccjit.context_acquire
#define gcc_jit_context_add_command_line_option gccjit.context_add_command_line_option
#define gcc_jit_context_compile gccjit.context_compile
#define gcc_jit_context_compile_to_file gccjit.context_compile_to_file
#define gcc_jit_context_get_first_error gccjit.context_get_first_error
#define gcc_jit_context_get_type gccjit.context_get_type
#define gcc_jit_context_new_array_access gccjit.context_new_array_access
#define gcc_jit_context_new_binary_op gccjit.context_new_binary_op
#define gcc_jit_context_new_call gccjit.context_new_call
#define gcc_jit_context_new_cast gccjit.context_new_cast
#define gcc_jit_context_new_comparison gccjit.context_new_comparison
#define gcc_jit_context_new_function gccjit.context_new_function
#define gcc_jit_context_new_param gccjit.context_new_param
#define gcc_jit_context_new_rvalue_from_double gccjit.context_new_rvalue_from_double
#define gcc_jit_context_new_rvalue_from_int gccjit.context_new_rvalue_from_int
#define gcc_jit_context_new_string_literal gccjit.context_new_string_literal
#define gcc_jit_context_new_unary_op gccjit.context_new_unary_op
#define gcc_jit_context_release gccjit.context_release
#define gcc_jit_context_set_int_option gccjit.context_set_int_option
#define gcc_jit_function_new_block gccjit.function_new_block
#define gcc_jit_function_new_local gccjit.function_new_local
#define gcc_jit_lvalue_as_rvalue gccjit.lvalue_as_rvalue
#define gcc_jit_param_as_rvalue gccjit.param_as_rvalue
#define gcc_jit_result_get_code gccjit.result_get_code
#define gcc_jit_result_release gccjit.result_release
#define gcc_jit_type_get_pointer gccjit.type_get_pointer
#define gcc_jit_version_major gccjit.version_major
#define gcc_jit_version_minor gccjit.version_minor
#define gcc_jit_version_patchlevel gccjit.version_patchlevel

typedef void (*KernelFn)(double **num, int32_t **i32, uint32_t **spans,
                         const double *params, const int32_t *atoms, double **extra,
                         double *scores, int8_t *decision, int16_t *arm, double *rank,
                         uint8_t *failed, int32_t begin, int32_t end, int32_t n);

/* ---- planning: what compiles (plan_num, plan_bool) ------------------------ */

typedef struct Plan {
    Compilation *c;
    Eval *ev;
    KindTable *svc;
    PtrVec order;             /* Score*, dependencies first */
    bool *score_jit;          /* per score index */
    bool decide_jit;
    PtrVec norm_sites;        /* Expr* */
    PtrVec extra_sites;       /* Expr*: alignment (NULL arg) and exposure calls */
    bool uses_alignment;
    PtrVec atoms;             /* Name */
    bool *slot_read;          /* per attribute slot: compiled code reads its column */
    char *key;                /* canonical text of everything compiled */
    size_t key_len, key_cap;
    size_t key_body_len;      /* the key without the compiler's line */
    const char *key_hash;     /* its SHA-256: the cache's name for the code */
} Plan;

/* Ends the key with the version of the compiler that makes (or made) the
 * code, and names it by its hash. */
static void plan_seal(Plan *p, const char *compiler_version);

static void key_put(Plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void key_put(Plan *p, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    if (p->key_len + (size_t)n + 1 > p->key_cap) {
        size_t ncap = p->key_cap ? p->key_cap * 2 : 1024;
        while (ncap < p->key_len + (size_t)n + 1)
            ncap *= 2;
        p->key = arena_realloc(&p->c->arena, p->key, p->key_cap, ncap);
        p->key_cap = ncap;
    }
    memcpy(p->key + p->key_len, buf, (size_t)n + 1);
    p->key_len += (size_t)n;
}

static int site_index(Plan *p, PtrVec *v, void *x)
{
    for (uint32_t i = 0; i < v->len; i++)
        if (v->items[i] == x)
            return (int)i;
    ptrvec_push(&p->c->arena, v, x);
    return (int)v->len - 1;
}

static bool is_service_var(const Expr *e)
{
    return !e->u.name.binder && name_slot(e) == 0;
}

static bool attr_of_s(Plan *p, const Expr *e, TypeKind *tk)
{
    if (e->kind != EX_ATTR || e->u.attr.slot < 0 || !is_service_var(e->u.attr.obj))
        return false;
    *tk = p->svc->attrs[e->u.attr.slot].type.kind;
    p->slot_read[e->u.attr.slot] = true;
    return true;
}

static bool plan_num(Plan *p, Expr *e);
static bool plan_bool(Plan *p, Expr *e);

/* An operand of `date - date` (the days between, a number): a date of s,
 * a date literal, or today().  today() goes into the key as the date it
 * is, so a kernel cached on another day is not reused. */
static bool plan_date(Plan *p, Expr *e)
{
    TypeKind tk;
    if (attr_of_s(p, e, &tk) && tk == T_DATE) {
        key_put(p, "(ad%d)", e->u.attr.slot);
        return true;
    }
    if (e->kind == EX_DATE && e->u.date != INT32_MIN) {
        key_put(p, "(dl%d)", (int)e->u.date);
        return true;
    }
    if (e->kind == EX_CALL && !e->u.call.sym && e->u.call.builtin == B_TODAY) {
        key_put(p, "(dt%d)", (int)p->ev->p->today);
        return true;
    }
    return false;
}

/* `let v = number in body`: compiled when the value is a number and the
 * body compiles (plan_body is plan_num or plan_bool). */
static bool plan_let(Plan *p, Expr *e, bool (*plan_body)(Plan *, Expr *))
{
    Expr *v = e->u.let.value;
    if (e->u.let.local < 0 || !v->type || v->type->kind != T_NUMBER)
        return false;
    key_put(p, "(let%d", e->u.let.local);
    if (!plan_num(p, v) || !plan_body(p, e->u.let.body))
        return false;
    key_put(p, ")");
    return true;
}

/* i32-valued operands of == and !=: symbols and bools of s, and symbol
 * literals. */
static bool plan_i32(Plan *p, Expr *e)
{
    TypeKind tk;
    if (attr_of_s(p, e, &tk) && (tk == T_SYMBOL || tk == T_BOOL || tk == T_STRING)) {
        key_put(p, "(a%d)", e->u.attr.slot);
        return true;
    }
    if (e->kind == EX_NAME && e->type && e->type->kind == T_SYMBOL) {
        key_put(p, "(y%d)", site_index(p, &p->atoms, (void *)e->u.name.id));
        return true;
    }
    if (e->kind == EX_STRING) {
        key_put(p, "(y%d)", site_index(p, &p->atoms, (void *)intern(p->c, e->u.str.s,
                                                                    e->u.str.len)));
        return true;
    }
    if (e->kind == EX_BOOL) {
        key_put(p, "(b%d)", e->u.boolean);
        return true;
    }
    return false;
}

static bool plan_bool(Plan *p, Expr *e)
{
    TypeKind tk;
    switch (e->kind) {
    case EX_BOOL:
        key_put(p, "(B%d)", e->u.boolean);
        return true;
    case EX_ATTR:
        if (attr_of_s(p, e, &tk) && tk == T_BOOL) {
            key_put(p, "(ab%d)", e->u.attr.slot);
            return true;
        }
        return false;
    case EX_UNARY:
        if (e->u.ops.op != OP_NOT)
            return false;
        key_put(p, "(!");
        if (!plan_bool(p, e->u.ops.a))
            return false;
        key_put(p, ")");
        return true;
    case EX_BINARY: {
        Op op = e->u.ops.op;
        key_put(p, "(%d", (int)op);
        bool ok;
        if (op == OP_AND || op == OP_OR)
            ok = plan_bool(p, e->u.ops.a) && plan_bool(p, e->u.ops.b);
        else if ((op == OP_EQ || op == OP_NE) && e->u.ops.a->type &&
                 e->u.ops.a->type->kind != T_NUMBER)
            ok = plan_i32(p, e->u.ops.a) && plan_i32(p, e->u.ops.b);
        else if (op >= OP_EQ && op <= OP_GE)
            ok = e->u.ops.a->type && e->u.ops.a->type->kind == T_NUMBER &&
                 plan_num(p, e->u.ops.a) && plan_num(p, e->u.ops.b);
        else
            ok = false;
        key_put(p, ")");
        return ok;
    }
    case EX_LET:
        return plan_let(p, e, plan_bool);
    case EX_CALL:
        if (e->u.call.builtin == B_DEFINED && e->u.call.nargs == 1) {
            Expr *a = e->u.call.args[0];
            if (attr_of_s(p, a, &tk) && tk != T_DATE) {
                key_put(p, "(D%d)", a->u.attr.slot);
                return true;
            }
            if (a->type && a->type->kind == T_NUMBER) {
                key_put(p, "(Dn");
                bool ok = plan_num(p, a);
                key_put(p, ")");
                return ok;
            }
        }
        return false;
    default:
        return false;
    }
}

static bool plan_num(Plan *p, Expr *e)
{
    TypeKind tk;
    switch (e->kind) {
    case EX_NUMBER:
        key_put(p, "(%a)", e->u.num.value);
        return true;
    case EX_NAME:
        if (e->u.name.binder) {   /* a number bound by `let` */
            if (!e->type || e->type->kind != T_NUMBER)
                return false;
            key_put(p, "(v%d)", e->u.name.local);
            return true;
        }
        /* consts and the budget are numbers fixed by the strategy */
        if (e->type && e->type->kind == T_NUMBER && name_slot(e) < 0) {
            double v = eval_expr(p->ev, e).num;
            key_put(p, "(%a)", v);
            return true;
        }
        return false;
    case EX_ATTR:
        if (attr_of_s(p, e, &tk) && tk == T_NUMBER) {
            key_put(p, "(an%d)", e->u.attr.slot);
            return true;
        }
        return false;
    case EX_UNARY:
        if (e->u.ops.op != OP_NEG)
            return false;
        key_put(p, "(-");
        if (!plan_num(p, e->u.ops.a))
            return false;
        key_put(p, ")");
        return true;
    case EX_BINARY:
        if (e->u.ops.op == OP_SUB && e->u.ops.a->type && e->u.ops.a->type->kind == T_DATE) {
            key_put(p, "(dd");
            if (!plan_date(p, e->u.ops.a) || !plan_date(p, e->u.ops.b))
                return false;
            key_put(p, ")");
            return true;
        }
        if (e->u.ops.op < OP_ADD || e->u.ops.op > OP_DIV || !e->u.ops.a->type ||
            e->u.ops.a->type->kind != T_NUMBER)
            return false;
        key_put(p, "(%d", (int)e->u.ops.op);
        if (!plan_num(p, e->u.ops.a) || !plan_num(p, e->u.ops.b))
            return false;
        key_put(p, ")");
        return true;
    case EX_IF:
        key_put(p, "(?");
        if (!plan_bool(p, e->u.ops.a) || !plan_num(p, e->u.ops.b) ||
            !plan_num(p, e->u.ops.c))
            return false;
        key_put(p, ")");
        return true;
    case EX_LET:
        return plan_let(p, e, plan_num);
    case EX_CALL: {
        Expr **args = e->u.call.args;
        uint32_t n = e->u.call.nargs;
        if (e->u.call.sym) {
            Score *s = call_score(p->ev->p, e);
            if (n != 1 || !is_service_var(args[0]))
                return false;
            key_put(p, "(S%u)", s->index);
            return true;
        }
        switch ((Builtin)e->u.call.builtin) {
        case B_ALIGNMENT:
            if (!is_service_var(args[0]))
                return false;
            p->uses_alignment = true;
            key_put(p, "(L)");
            return true;
        case B_EXPOSURE:
        case B_FORECAST:   /* a column of forecasts per horizon (demand.h) */
            if (!is_service_var(args[0]))
                return false;
            key_put(p, "(E%d)", site_index(p, &p->extra_sites, e));
            return true;
        case B_ALLOCATED_COST:   /* show-back's, a column like exposure's */
        case B_CHARGE:
            if (!is_service_var(args[0]) ||
                (e->u.call.builtin == B_CHARGE &&
                 (args[1]->kind != EX_NAME || !args[1]->u.name.sym ||
                  args[1]->u.name.sym->kind != SYM_ENTITY)))
                return false;
            key_put(p, "(E%d)", site_index(p, &p->extra_sites, e));
            return true;
        case B_NORM:
            key_put(p, "(N%d", site_index(p, &p->norm_sites, e));
            if (!plan_num(p, args[0]))
                return false;
            key_put(p, ")");
            return true;
        case B_COUNT:
            if (n == 1 && attr_of_s(p, args[0], &tk) && tk == T_LIST) {
                key_put(p, "(C%d)", args[0]->u.attr.slot);
                return true;
            }
            return false;
        case B_MIN: case B_MAX: case B_CLAMP: case B_ABS: case B_LOG: case B_SQRT:
        case B_POW: case B_ROUND: case B_FLOOR: case B_CEIL: case B_TRUNC: case B_MOD:
            if ((e->u.call.builtin == B_MIN || e->u.call.builtin == B_MAX) && n < 2)
                return false;
            key_put(p, "(F%d", e->u.call.builtin);
            for (uint32_t i = 0; i < n; i++)
                if (!plan_num(p, args[i]))
                    return false;
            key_put(p, ")");
            return true;
        default:
            return false;
        }
    }
    default:
        return false;
    }
}

/* ---- code generation ----------------------------------------------------- */

typedef struct Gen {
    Plan *plan;
    gcc_jit_context *ctx;
    gcc_jit_function *fn;
    gcc_jit_block *entry, *block;
    gcc_jit_type *t_double, *t_int, *t_bool, *t_uint, *t_schar, *t_short, *t_uchar;
    gcc_jit_type *t_pdouble, *t_pint, *t_puint;
    gcc_jit_rvalue *p_num, *p_i32, *p_spans, *p_params, *p_atoms, *p_extra;
    gcc_jit_lvalue *row;
    gcc_jit_lvalue **num_cols, **i32_cols, **span_cols;   /* per slot, lazily */
    gcc_jit_lvalue **extra_cols;                         /* per extra site */
    gcc_jit_lvalue *align_col;
    gcc_jit_lvalue **score_val;                          /* per score, this row */
    gcc_jit_function *f_sqrt, *f_log, *f_pow, *f_fabs;
    gcc_jit_function *f_floor, *f_ceil, *f_trunc, *f_fmod, *f_fma, *f_copysign;
    gcc_jit_function *f_round;                           /* gen_round_fn, on first use */
    gcc_jit_lvalue *lets[LET_SLOTS];                     /* `let` values in scope */
    int tmp;
} Gen;

static gcc_jit_rvalue *gen_num(Gen *g, Expr *e);
static gcc_jit_rvalue *gen_bool(Gen *g, Expr *e);
static gcc_jit_function *gen_round_fn(Gen *g);


static gcc_jit_rvalue *dconst(Gen *g, double v)
{
    return gcc_jit_context_new_rvalue_from_double(g->ctx, g->t_double, v);
}

static gcc_jit_rvalue *iconst(Gen *g, int v)
{
    return gcc_jit_context_new_rvalue_from_int(g->ctx, g->t_int, v);
}

static gcc_jit_lvalue *new_tmp(Gen *g, gcc_jit_type *t)
{
    char name[32];
    snprintf(name, sizeof name, "t%d", g->tmp++);
    return gcc_jit_function_new_local(g->fn, NULL, t, name);
}

static gcc_jit_rvalue *at(Gen *g, gcc_jit_rvalue *ptr, gcc_jit_rvalue *idx)
{
    return gcc_jit_lvalue_as_rvalue(gcc_jit_context_new_array_access(g->ctx, NULL, ptr, idx));
}

/* A column pointer, loaded once in the entry block. */
static gcc_jit_rvalue *column(Gen *g, gcc_jit_lvalue **cache, gcc_jit_rvalue *base,
                              gcc_jit_type *t, int slot)
{
    if (!cache[slot]) {
        cache[slot] = new_tmp(g, t);
        gcc_jit_block_add_assignment(g->entry, NULL, cache[slot],
                                     at(g, base, iconst(g, slot)));
    }
    return gcc_jit_lvalue_as_rvalue(cache[slot]);
}

static gcc_jit_rvalue *rowv(Gen *g)
{
    return gcc_jit_lvalue_as_rvalue(g->row);
}

static gcc_jit_rvalue *isnan_r(Gen *g, gcc_jit_rvalue *x)
{
    return gcc_jit_context_new_comparison(g->ctx, NULL, GCC_JIT_COMPARISON_NE, x, x);
}

/* Stores v in a fresh local so it is evaluated once. */
static gcc_jit_rvalue *once(Gen *g, gcc_jit_rvalue *v, gcc_jit_type *t)
{
    gcc_jit_lvalue *l = new_tmp(g, t);
    gcc_jit_block_add_assignment(g->block, NULL, l, v);
    return gcc_jit_lvalue_as_rvalue(l);
}

/* result = cond ? a : b, with a and b already evaluated. */
static gcc_jit_rvalue *select_num(Gen *g, gcc_jit_rvalue *cond, gcc_jit_rvalue *a,
                                  gcc_jit_rvalue *b)
{
    gcc_jit_lvalue *r = new_tmp(g, g->t_double);
    gcc_jit_block *tb = gcc_jit_function_new_block(g->fn, NULL);
    gcc_jit_block *fb = gcc_jit_function_new_block(g->fn, NULL);
    gcc_jit_block *join = gcc_jit_function_new_block(g->fn, NULL);
    gcc_jit_block_end_with_conditional(g->block, NULL, cond, tb, fb);
    gcc_jit_block_add_assignment(tb, NULL, r, a);
    gcc_jit_block_end_with_jump(tb, NULL, join);
    gcc_jit_block_add_assignment(fb, NULL, r, b);
    gcc_jit_block_end_with_jump(fb, NULL, join);
    g->block = join;
    return gcc_jit_lvalue_as_rvalue(r);
}

/* eval.c's nan_min / nan_max */
static gcc_jit_rvalue *gen_minmax(Gen *g, gcc_jit_rvalue *a, gcc_jit_rvalue *b, bool is_min)
{
    a = once(g, a, g->t_double);
    b = once(g, b, g->t_double);
    gcc_jit_rvalue *anynan = gcc_jit_context_new_binary_op(
        g->ctx, NULL, GCC_JIT_BINARY_OP_LOGICAL_OR, g->t_bool, isnan_r(g, a), isnan_r(g, b));
    gcc_jit_rvalue *pick = gcc_jit_context_new_comparison(
        g->ctx, NULL, is_min ? GCC_JIT_COMPARISON_LT : GCC_JIT_COMPARISON_GT, a, b);
    gcc_jit_rvalue *better = select_num(g, pick, a, b);
    return select_num(g, anynan, dconst(g, NAN), better);
}

static gcc_jit_rvalue *call1(Gen *g, gcc_jit_function *f, gcc_jit_rvalue *a)
{
    return gcc_jit_context_new_call(g->ctx, NULL, f, 1, &a);
}

/* `let`: the value once, into a local the body's names read (eval.c's
 * order: value, then body); the slot's previous local put back after. */
static gcc_jit_rvalue *gen_let(Gen *g, Expr *e, gcc_jit_rvalue *(*gen_body)(Gen *, Expr *),
                               gcc_jit_type *t)
{
    int slot = e->u.let.local;
    gcc_jit_rvalue *v = gen_num(g, e->u.let.value);   /* first: it may end g->block */
    gcc_jit_lvalue *l = new_tmp(g, g->t_double);
    gcc_jit_block_add_assignment(g->block, NULL, l, v);
    gcc_jit_lvalue *saved = g->lets[slot];
    g->lets[slot] = l;
    gcc_jit_rvalue *body = gen_body(g, e->u.let.body);
    /* the body's value is taken before the slot is given back */
    gcc_jit_rvalue *r = once(g, body, t);
    g->lets[slot] = saved;
    return r;
}

static gcc_jit_rvalue *gen_i32(Gen *g, Expr *e)
{
    Plan *p = g->plan;
    if (e->kind == EX_ATTR)
        return at(g, column(g, g->i32_cols, g->p_i32, g->t_pint, e->u.attr.slot), rowv(g));
    if (e->kind == EX_BOOL)
        return iconst(g, e->u.boolean);
    Name n = e->kind == EX_STRING ? intern(p->c, e->u.str.s, e->u.str.len) : e->u.name.id;
    int k = site_index(p, &p->atoms, (void *)n);
    return at(g, g->p_atoms, iconst(g, k));
}

/* A date operand planned by plan_date, as its day number (INT32_MIN when
 * missing, as the column holds it). */
static gcc_jit_rvalue *gen_date(Gen *g, Expr *e)
{
    if (e->kind == EX_ATTR)
        return at(g, column(g, g->i32_cols, g->p_i32, g->t_pint, e->u.attr.slot), rowv(g));
    if (e->kind == EX_DATE)
        return iconst(g, (int)e->u.date);
    return iconst(g, (int)g->plan->ev->p->today);   /* today() */
}

/* eval.c's `d1 - d2`: NaN when either is missing, else the days between,
 * (double)d1 - d2. */
static gcc_jit_rvalue *gen_days_between(Gen *g, Expr *e)
{
    gcc_jit_rvalue *a = once(g, gen_date(g, e->u.ops.a), g->t_int);
    gcc_jit_rvalue *b = once(g, gen_date(g, e->u.ops.b), g->t_int);
    gcc_jit_rvalue *missing = gcc_jit_context_new_binary_op(
        g->ctx, NULL, GCC_JIT_BINARY_OP_LOGICAL_OR, g->t_bool,
        gcc_jit_context_new_comparison(g->ctx, NULL, GCC_JIT_COMPARISON_EQ, a,
                                       iconst(g, INT32_MIN)),
        gcc_jit_context_new_comparison(g->ctx, NULL, GCC_JIT_COMPARISON_EQ, b,
                                       iconst(g, INT32_MIN)));
    gcc_jit_rvalue *days = gcc_jit_context_new_binary_op(
        g->ctx, NULL, GCC_JIT_BINARY_OP_MINUS, g->t_double,
        gcc_jit_context_new_cast(g->ctx, NULL, a, g->t_double),
        gcc_jit_context_new_cast(g->ctx, NULL, b, g->t_double));
    return select_num(g, missing, dconst(g, NAN), days);
}

static gcc_jit_rvalue *gen_bool(Gen *g, Expr *e)
{
    switch (e->kind) {
    case EX_BOOL:
        return gcc_jit_context_new_rvalue_from_int(g->ctx, g->t_bool, e->u.boolean);
    case EX_ATTR:
        return gcc_jit_context_new_comparison(
            g->ctx, NULL, GCC_JIT_COMPARISON_EQ,
            at(g, column(g, g->i32_cols, g->p_i32, g->t_pint, e->u.attr.slot), rowv(g)),
            iconst(g, 1));
    case EX_UNARY:
        return gcc_jit_context_new_unary_op(g->ctx, NULL, GCC_JIT_UNARY_OP_LOGICAL_NEGATE,
                                            g->t_bool, gen_bool(g, e->u.ops.a));
    case EX_BINARY: {
        Op op = e->u.ops.op;
        if (op == OP_AND || op == OP_OR) {
            /* both sides are pure: evaluating the right one always gives
             * the interpreter's result without branches */
            gcc_jit_rvalue *a = once(g, gen_bool(g, e->u.ops.a), g->t_bool);
            gcc_jit_rvalue *b = once(g, gen_bool(g, e->u.ops.b), g->t_bool);
            return gcc_jit_context_new_binary_op(
                g->ctx, NULL, op == OP_AND ? GCC_JIT_BINARY_OP_LOGICAL_AND
                                           : GCC_JIT_BINARY_OP_LOGICAL_OR,
                g->t_bool, a, b);
        }
        static const enum gcc_jit_comparison cmp[] = {
            [OP_EQ] = GCC_JIT_COMPARISON_EQ, [OP_NE] = GCC_JIT_COMPARISON_NE,
            [OP_LT] = GCC_JIT_COMPARISON_LT, [OP_LE] = GCC_JIT_COMPARISON_LE,
            [OP_GT] = GCC_JIT_COMPARISON_GT, [OP_GE] = GCC_JIT_COMPARISON_GE};
        if ((op == OP_EQ || op == OP_NE) && e->u.ops.a->type->kind != T_NUMBER)
            return gcc_jit_context_new_comparison(g->ctx, NULL, cmp[op], gen_i32(g, e->u.ops.a),
                                                  gen_i32(g, e->u.ops.b));
        gcc_jit_rvalue *a = once(g, gen_num(g, e->u.ops.a), g->t_double);
        gcc_jit_rvalue *b = once(g, gen_num(g, e->u.ops.b), g->t_double);
        return gcc_jit_context_new_comparison(g->ctx, NULL, cmp[op], a, b);
    }
    case EX_LET:
        return gen_let(g, e, gen_bool, g->t_bool);
    case EX_CALL: {
        Expr *a = e->u.call.args[0];
        TypeKind tk;
        if (attr_of_s(g->plan, a, &tk)) {
            if (tk == T_NUMBER)
                return gcc_jit_context_new_unary_op(
                    g->ctx, NULL, GCC_JIT_UNARY_OP_LOGICAL_NEGATE, g->t_bool,
                    isnan_r(g, at(g, column(g, g->num_cols, g->p_num, g->t_pdouble,
                                            a->u.attr.slot), rowv(g))));
            if (tk == T_LIST)
                return gcc_jit_context_new_rvalue_from_int(g->ctx, g->t_bool, 1);
            return gcc_jit_context_new_comparison(
                g->ctx, NULL, GCC_JIT_COMPARISON_GE,
                at(g, column(g, g->i32_cols, g->p_i32, g->t_pint, a->u.attr.slot), rowv(g)),
                iconst(g, 0));
        }
        gcc_jit_rvalue *v = once(g, gen_num(g, a), g->t_double);
        return gcc_jit_context_new_unary_op(g->ctx, NULL, GCC_JIT_UNARY_OP_LOGICAL_NEGATE,
                                            g->t_bool, isnan_r(g, v));
    }
    default:
        return gcc_jit_context_new_rvalue_from_int(g->ctx, g->t_bool, 0);
    }
}

static gcc_jit_rvalue *gen_num(Gen *g, Expr *e)
{
    Plan *p = g->plan;
    switch (e->kind) {
    case EX_NUMBER:
        return dconst(g, e->u.num.value);
    case EX_NAME:
        if (e->u.name.binder)
            return gcc_jit_lvalue_as_rvalue(g->lets[e->u.name.local]);
        return dconst(g, eval_expr(p->ev, e).num);
    case EX_LET:
        return gen_let(g, e, gen_num, g->t_double);
    case EX_ATTR:
        return at(g, column(g, g->num_cols, g->p_num, g->t_pdouble, e->u.attr.slot), rowv(g));
    case EX_UNARY:
        return gcc_jit_context_new_unary_op(g->ctx, NULL, GCC_JIT_UNARY_OP_MINUS, g->t_double,
                                            gen_num(g, e->u.ops.a));
    case EX_BINARY: {
        static const enum gcc_jit_binary_op bop[] = {
            [OP_ADD] = GCC_JIT_BINARY_OP_PLUS, [OP_SUB] = GCC_JIT_BINARY_OP_MINUS,
            [OP_MUL] = GCC_JIT_BINARY_OP_MULT, [OP_DIV] = GCC_JIT_BINARY_OP_DIVIDE};
        if (e->u.ops.a->type->kind == T_DATE)   /* planned as days between */
            return gen_days_between(g, e);
        gcc_jit_rvalue *a = gen_num(g, e->u.ops.a);
        gcc_jit_rvalue *b = gen_num(g, e->u.ops.b);
        return gcc_jit_context_new_binary_op(g->ctx, NULL, bop[e->u.ops.op], g->t_double, a, b);
    }
    case EX_IF: {
        gcc_jit_lvalue *r = new_tmp(g, g->t_double);
        gcc_jit_block *tb = gcc_jit_function_new_block(g->fn, NULL);
        gcc_jit_block *fb = gcc_jit_function_new_block(g->fn, NULL);
        gcc_jit_block *join = gcc_jit_function_new_block(g->fn, NULL);
        /* gen_* may end g->block and start another: call it before
         * reading g->block (argument order is unspecified in C) */
        gcc_jit_rvalue *cond = gen_bool(g, e->u.ops.a);
        gcc_jit_block_end_with_conditional(g->block, NULL, cond, tb, fb);
        g->block = tb;
        gcc_jit_rvalue *then = gen_num(g, e->u.ops.b);
        gcc_jit_block_add_assignment(g->block, NULL, r, then);
        gcc_jit_block_end_with_jump(g->block, NULL, join);
        g->block = fb;
        gcc_jit_rvalue *other = gen_num(g, e->u.ops.c);
        gcc_jit_block_add_assignment(g->block, NULL, r, other);
        gcc_jit_block_end_with_jump(g->block, NULL, join);
        g->block = join;
        return gcc_jit_lvalue_as_rvalue(r);
    }
    case EX_CALL: {
        Expr **args = e->u.call.args;
        if (e->u.call.sym)
            return gcc_jit_lvalue_as_rvalue(g->score_val[e->u.call.sym->index]);
        switch ((Builtin)e->u.call.builtin) {
        case B_ALIGNMENT:
            if (!g->align_col) {
                g->align_col = new_tmp(g, g->t_pdouble);
                gcc_jit_block_add_assignment(g->entry, NULL, g->align_col,
                                             at(g, g->p_extra, iconst(g, 0)));
            }
            return at(g, gcc_jit_lvalue_as_rvalue(g->align_col), rowv(g));
        case B_EXPOSURE: case B_ALLOCATED_COST: case B_CHARGE: case B_FORECAST: {
            int k = site_index(p, &p->extra_sites, e);
            return at(g, column(g, g->extra_cols, g->p_extra, g->t_pdouble, k + 1), rowv(g));
        }
        case B_NORM: {
            /* eval.c's norm_value: NaN stays NaN; a flat range gives 0 */
            int k = site_index(p, &p->norm_sites, e);
            gcc_jit_rvalue *x = once(g, gen_num(g, args[0]), g->t_double);
            gcc_jit_rvalue *lo = once(g, at(g, g->p_params, iconst(g, 2 * k)), g->t_double);
            gcc_jit_rvalue *hi = once(g, at(g, g->p_params, iconst(g, 2 * k + 1)), g->t_double);
            gcc_jit_rvalue *scaled = gcc_jit_context_new_binary_op(
                g->ctx, NULL, GCC_JIT_BINARY_OP_DIVIDE, g->t_double,
                gcc_jit_context_new_binary_op(g->ctx, NULL, GCC_JIT_BINARY_OP_MINUS,
                                              g->t_double, x, lo),
                gcc_jit_context_new_binary_op(g->ctx, NULL, GCC_JIT_BINARY_OP_MINUS,
                                              g->t_double, hi, lo));
            gcc_jit_rvalue *flat = gcc_jit_context_new_unary_op(
                g->ctx, NULL, GCC_JIT_UNARY_OP_LOGICAL_NEGATE, g->t_bool,
                gcc_jit_context_new_comparison(g->ctx, NULL, GCC_JIT_COMPARISON_GT, hi, lo));
            gcc_jit_rvalue *inner = select_num(g, flat, dconst(g, 0), scaled);
            return select_num(g, isnan_r(g, x), dconst(g, NAN), inner);
        }
        case B_COUNT: {
            gcc_jit_rvalue *spans = column(g, g->span_cols, g->p_spans, g->t_puint,
                                           args[0]->u.attr.slot);
            gcc_jit_rvalue *idx = gcc_jit_context_new_binary_op(
                g->ctx, NULL, GCC_JIT_BINARY_OP_PLUS, g->t_int,
                gcc_jit_context_new_binary_op(g->ctx, NULL, GCC_JIT_BINARY_OP_MULT, g->t_int,
                                              rowv(g), iconst(g, 2)),
                iconst(g, 1));
            return gcc_jit_context_new_cast(g->ctx, NULL, at(g, spans, idx), g->t_double);
        }
        case B_MIN: case B_MAX: {
            gcc_jit_rvalue *acc = gen_num(g, args[0]);
            for (uint32_t i = 1; i < e->u.call.nargs; i++)
                acc = gen_minmax(g, acc, gen_num(g, args[i]), e->u.call.builtin == B_MIN);
            return acc;
        }
        case B_CLAMP: {
            gcc_jit_rvalue *x = gen_num(g, args[0]);
            gcc_jit_rvalue *lo = gen_num(g, args[1]);
            gcc_jit_rvalue *hi = gen_num(g, args[2]);
            return gen_minmax(g, gen_minmax(g, x, lo, false), hi, true);
        }
        case B_ABS: return call1(g, g->f_fabs, gen_num(g, args[0]));
        case B_SQRT: return call1(g, g->f_sqrt, gen_num(g, args[0]));
        case B_LOG: return call1(g, g->f_log, gen_num(g, args[0]));
        case B_POW: {
            gcc_jit_rvalue *ab[2] = {gen_num(g, args[0]), gen_num(g, args[1])};
            return gcc_jit_context_new_call(g->ctx, NULL, g->f_pow, 2, ab);
        }
        case B_FLOOR: return call1(g, g->f_floor, gen_num(g, args[0]));
        case B_CEIL: return call1(g, g->f_ceil, gen_num(g, args[0]));
        case B_TRUNC: return call1(g, g->f_trunc, gen_num(g, args[0]));
        case B_MOD: {
            gcc_jit_rvalue *ab[2] = {gen_num(g, args[0]), gen_num(g, args[1])};
            return gcc_jit_context_new_call(g->ctx, NULL, g->f_fmod, 2, ab);
        }
        case B_ROUND: {
            gcc_jit_rvalue *xn[2] = {gen_num(g, args[0]), gen_num(g, args[1])};
            if (!g->f_round)
                g->f_round = gen_round_fn(g);
            return gcc_jit_context_new_call(g->ctx, NULL, g->f_round, 2, xn);
        }
        default:
            break;
        }
        break;
    }
    default:
        break;
    }
    return dconst(g, NAN);
}

static gcc_jit_function *import_fn(Gen *g, const char *name, int nargs)
{
    static const char *const pnames[] = {"a", "b", "c"};
    gcc_jit_param *ps[3];
    for (int i = 0; i < nargs; i++)
        ps[i] = gcc_jit_context_new_param(g->ctx, NULL, g->t_double, pnames[i]);
    return gcc_jit_context_new_function(g->ctx, NULL, GCC_JIT_FUNCTION_IMPORTED, g->t_double,
                                        name, nargs, ps, 0);
}

/* ---- round(x, n): numeric.c's num_round, step for step ---------------------- */

static gcc_jit_rvalue *cmp_r(Gen *g, enum gcc_jit_comparison op, gcc_jit_rvalue *a,
                             gcc_jit_rvalue *b)
{
    return gcc_jit_context_new_comparison(g->ctx, NULL, op, a, b);
}

static gcc_jit_rvalue *arith_r(Gen *g, enum gcc_jit_binary_op op, gcc_jit_rvalue *a,
                               gcc_jit_rvalue *b)
{
    return gcc_jit_context_new_binary_op(g->ctx, NULL, op, g->t_double, a, b);
}

/* Ends block b with `if (cond) goto yes; else goto no`, no being new. */
static gcc_jit_block *branch(gcc_jit_function *f, gcc_jit_block *b, gcc_jit_rvalue *cond,
                             gcc_jit_block *yes)
{
    gcc_jit_block *no = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block_end_with_conditional(b, NULL, cond, yes, no);
    return no;
}

/* static double strat_round(double x, double n), internal to the kernel's
 * object: the same operations in the same order as num_round (numeric.c
 * explains them), libm's floor, fma, fabs and copysign, no contraction. */
static gcc_jit_function *gen_round_fn(Gen *g)
{
    gcc_jit_context *ctx = g->ctx;
    gcc_jit_param *ps[2] = {gcc_jit_context_new_param(ctx, NULL, g->t_double, "x"),
                            gcc_jit_context_new_param(ctx, NULL, g->t_double, "n")};
    gcc_jit_function *f = gcc_jit_context_new_function(
        ctx, NULL, GCC_JIT_FUNCTION_INTERNAL, g->t_double, "strat_round", 2, ps, 0);
    gcc_jit_rvalue *x = gcc_jit_param_as_rvalue(ps[0]);
    gcc_jit_rvalue *n = gcc_jit_param_as_rvalue(ps[1]);
    gcc_jit_lvalue *scale = gcc_jit_function_new_local(f, NULL, g->t_double, "scale");
    gcc_jit_lvalue *i = gcc_jit_function_new_local(f, NULL, g->t_double, "i");
    gcc_jit_lvalue *a = gcc_jit_function_new_local(f, NULL, g->t_double, "a");
    gcc_jit_lvalue *p = gcc_jit_function_new_local(f, NULL, g->t_double, "p");
    gcc_jit_lvalue *r = gcc_jit_function_new_local(f, NULL, g->t_double, "r");
    gcc_jit_lvalue *err = gcc_jit_function_new_local(f, NULL, g->t_double, "err");
    gcc_jit_lvalue *fl = gcc_jit_function_new_local(f, NULL, g->t_double, "f");
    gcc_jit_lvalue *d = gcc_jit_function_new_local(f, NULL, g->t_double, "d");
    gcc_jit_lvalue *sum = gcc_jit_function_new_local(f, NULL, g->t_double, "s");
    gcc_jit_rvalue *vscale = gcc_jit_lvalue_as_rvalue(scale), *vi = gcc_jit_lvalue_as_rvalue(i);
    gcc_jit_rvalue *va = gcc_jit_lvalue_as_rvalue(a), *vp = gcc_jit_lvalue_as_rvalue(p);
    gcc_jit_rvalue *vr = gcc_jit_lvalue_as_rvalue(r), *verr = gcc_jit_lvalue_as_rvalue(err);
    gcc_jit_rvalue *vf = gcc_jit_lvalue_as_rvalue(fl), *vd = gcc_jit_lvalue_as_rvalue(d);
    gcc_jit_rvalue *vs = gcc_jit_lvalue_as_rvalue(sum);

    gcc_jit_block *b = gcc_jit_function_new_block(f, "entry");   /* first: the entry */
    gcc_jit_block *ret_nan = gcc_jit_function_new_block(f, "ret_nan");
    gcc_jit_block_end_with_return(ret_nan, NULL, dconst(g, NAN));
    gcc_jit_block *ret_x = gcc_jit_function_new_block(f, "ret_x");
    gcc_jit_block_end_with_return(ret_x, NULL, x);
    gcc_jit_block *fin = gcc_jit_function_new_block(f, "fin");
    gcc_jit_rvalue *cs[2] = {arith_r(g, GCC_JIT_BINARY_OP_DIVIDE, vr, vscale), x};
    gcc_jit_block_end_with_return(fin, NULL,
                                  gcc_jit_context_new_call(ctx, NULL, g->f_copysign, 2, cs));

    /* n: a whole number from 0 to NUM_ROUND_MAX_DIGITS, else NaN */
    gcc_jit_block *ok1 = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block *ok2 = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block *ok3 = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block_end_with_conditional(b, NULL, cmp_r(g, GCC_JIT_COMPARISON_GE, n, dconst(g, 0)),
                                       ok1, ret_nan);
    gcc_jit_block_end_with_conditional(
        ok1, NULL, cmp_r(g, GCC_JIT_COMPARISON_LE, n, dconst(g, NUM_ROUND_MAX_DIGITS)), ok2,
        ret_nan);
    gcc_jit_block_end_with_conditional(
        ok2, NULL, cmp_r(g, GCC_JIT_COMPARISON_EQ, n, call1(g, g->f_floor, n)), ok3, ret_nan);
    /* NaN x comes back as it is */
    b = branch(f, ok3, isnan_r(g, x), ret_x);
    /* scale = 10^n by products, each exact */
    gcc_jit_block_add_assignment(b, NULL, scale, dconst(g, 1));
    gcc_jit_block_add_assignment(b, NULL, i, dconst(g, 0));
    gcc_jit_block *loop = gcc_jit_function_new_block(f, "loop");
    gcc_jit_block *body = gcc_jit_function_new_block(f, "times10");
    gcc_jit_block *after = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block_end_with_jump(b, NULL, loop);
    gcc_jit_block_end_with_conditional(loop, NULL, cmp_r(g, GCC_JIT_COMPARISON_LT, vi, n), body,
                                       after);
    gcc_jit_block_add_assignment(body, NULL, scale,
                                 arith_r(g, GCC_JIT_BINARY_OP_MULT, vscale, dconst(g, 10)));
    gcc_jit_block_add_assignment(body, NULL, i,
                                 arith_r(g, GCC_JIT_BINARY_OP_PLUS, vi, dconst(g, 1)));
    gcc_jit_block_end_with_jump(body, NULL, loop);
    b = after;
    gcc_jit_block_add_assignment(b, NULL, a, call1(g, g->f_fabs, x));
    gcc_jit_block_add_assignment(b, NULL, p, arith_r(g, GCC_JIT_BINARY_OP_MULT, va, vscale));
    gcc_jit_rvalue *fma_args[3] = {va, vscale,
                                   gcc_jit_context_new_unary_op(ctx, NULL,
                                                                GCC_JIT_UNARY_OP_MINUS,
                                                                g->t_double, vp)};
    gcc_jit_rvalue *product_err = gcc_jit_context_new_call(ctx, NULL, g->f_fma, 3, fma_args);
    /* p < 0.25: r = 0 */
    gcc_jit_block *zero = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block_add_assignment(zero, NULL, r, dconst(g, 0));
    gcc_jit_block_end_with_jump(zero, NULL, fin);
    b = branch(f, b, cmp_r(g, GCC_JIT_COMPARISON_LT, vp, dconst(g, 0.25)), zero);
    /* p >= 2^52: x itself above 2^53, else r = p */
    gcc_jit_block *big = gcc_jit_function_new_block(f, "big");
    gcc_jit_block *small = branch(f, b, cmp_r(g, GCC_JIT_COMPARISON_GE, vp,
                                                 dconst(g, 0x1p52)), big);
    gcc_jit_block *big2 = branch(f, big, cmp_r(g, GCC_JIT_COMPARISON_GT, vp,
                                                  dconst(g, 0x1p53)), ret_x);
    gcc_jit_block *at53 = gcc_jit_function_new_block(f, NULL);
    gcc_jit_block *take_p = branch(f, big2, cmp_r(g, GCC_JIT_COMPARISON_EQ, vp,
                                                     dconst(g, 0x1p53)), at53);
    gcc_jit_block *take_p2 = branch(f, at53, cmp_r(g, GCC_JIT_COMPARISON_GT, product_err,
                                                      dconst(g, 0)), ret_x);
    gcc_jit_block_end_with_jump(take_p2, NULL, take_p);
    gcc_jit_block_add_assignment(take_p, NULL, r, vp);
    gcc_jit_block_end_with_jump(take_p, NULL, fin);
    /* p < 2^52: decide on (d - 0.5) + err */
    b = small;
    gcc_jit_block_add_assignment(b, NULL, err, product_err);
    gcc_jit_block_add_assignment(b, NULL, fl, call1(g, g->f_floor, vp));
    gcc_jit_block_add_assignment(b, NULL, d, arith_r(g, GCC_JIT_BINARY_OP_MINUS, vp, vf));
    gcc_jit_block *down = gcc_jit_function_new_block(f, "down");
    gcc_jit_block_add_assignment(down, NULL, r, vf);
    gcc_jit_block_end_with_jump(down, NULL, fin);
    gcc_jit_block *up = gcc_jit_function_new_block(f, "up");
    gcc_jit_block_add_assignment(up, NULL, r, arith_r(g, GCC_JIT_BINARY_OP_PLUS, vf,
                                                      dconst(g, 1)));
    gcc_jit_block_end_with_jump(up, NULL, fin);
    b = branch(f, b, cmp_r(g, GCC_JIT_COMPARISON_LT, vd, dconst(g, 0.25)), down);
    gcc_jit_block_add_assignment(
        b, NULL, sum,
        arith_r(g, GCC_JIT_BINARY_OP_PLUS,
                arith_r(g, GCC_JIT_BINARY_OP_MINUS, vd, dconst(g, 0.5)), verr));
    b = branch(f, b, cmp_r(g, GCC_JIT_COMPARISON_GT, vs, dconst(g, 0)), up);
    b = branch(f, b, cmp_r(g, GCC_JIT_COMPARISON_LT, vs, dconst(g, 0)), down);
    /* a tie: the even one of f and f + 1 */
    gcc_jit_rvalue *half = arith_r(g, GCC_JIT_BINARY_OP_MULT, vf, dconst(g, 0.5));
    gcc_jit_block_end_with_conditional(
        b, NULL, cmp_r(g, GCC_JIT_COMPARISON_EQ, call1(g, g->f_floor, half), half), down, up);
    return f;
}

/* Builds strat_kernel (and strat_key, which returns the cache key's hash,
 * so a cached object proves what it was compiled from). */
static void generate(Plan *p, gcc_jit_context *ctx, const char *key_hash)
{
    Gen gs;
    memset(&gs, 0, sizeof gs);
    Gen *g = &gs;
    Compilation *c = p->c;
    g->plan = p;
    g->ctx = ctx;
    g->t_double = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_DOUBLE);
    g->t_int = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_INT32_T);
    g->t_uint = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_UINT32_T);
    g->t_bool = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_BOOL);
    g->t_schar = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_INT8_T);
    g->t_short = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_INT16_T);
    g->t_uchar = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_UINT8_T);
    g->t_pdouble = gcc_jit_type_get_pointer(g->t_double);
    g->t_pint = gcc_jit_type_get_pointer(g->t_int);
    g->t_puint = gcc_jit_type_get_pointer(g->t_uint);
    gcc_jit_type *t_void = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_VOID);
    gcc_jit_param *params[] = {
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_pdouble), "num"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_pint), "i32"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_puint), "spans"),
        gcc_jit_context_new_param(ctx, NULL, g->t_pdouble, "params"),
        gcc_jit_context_new_param(ctx, NULL, g->t_pint, "atoms"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_pdouble), "extra"),
        gcc_jit_context_new_param(ctx, NULL, g->t_pdouble, "scores"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_schar), "decision"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_short), "arm"),
        gcc_jit_context_new_param(ctx, NULL, g->t_pdouble, "rank"),
        gcc_jit_context_new_param(ctx, NULL, gcc_jit_type_get_pointer(g->t_uchar), "failed"),
        gcc_jit_context_new_param(ctx, NULL, g->t_int, "begin"),
        gcc_jit_context_new_param(ctx, NULL, g->t_int, "end"),
        gcc_jit_context_new_param(ctx, NULL, g->t_int, "n"),
    };
    g->fn = gcc_jit_context_new_function(ctx, NULL, GCC_JIT_FUNCTION_EXPORTED, t_void,
                                         "strat_kernel", 14, params, 0);
    g->p_num = gcc_jit_param_as_rvalue(params[0]);
    g->p_i32 = gcc_jit_param_as_rvalue(params[1]);
    g->p_spans = gcc_jit_param_as_rvalue(params[2]);
    g->p_params = gcc_jit_param_as_rvalue(params[3]);
    g->p_atoms = gcc_jit_param_as_rvalue(params[4]);
    g->p_extra = gcc_jit_param_as_rvalue(params[5]);
    gcc_jit_rvalue *p_scores = gcc_jit_param_as_rvalue(params[6]);
    gcc_jit_rvalue *p_decision = gcc_jit_param_as_rvalue(params[7]);
    gcc_jit_rvalue *p_arm = gcc_jit_param_as_rvalue(params[8]);
    gcc_jit_rvalue *p_rank = gcc_jit_param_as_rvalue(params[9]);
    gcc_jit_rvalue *p_failed = gcc_jit_param_as_rvalue(params[10]);
    gcc_jit_rvalue *p_n = gcc_jit_param_as_rvalue(params[13]);
    uint32_t nslots = p->svc->nattrs;
    g->num_cols = ARENA_ARRAY(&c->arena, gcc_jit_lvalue *, nslots + 1);
    g->i32_cols = ARENA_ARRAY(&c->arena, gcc_jit_lvalue *, nslots + 1);
    g->span_cols = ARENA_ARRAY(&c->arena, gcc_jit_lvalue *, nslots + 1);
    g->extra_cols = ARENA_ARRAY(&c->arena, gcc_jit_lvalue *, p->extra_sites.len + 2);
    uint32_t nscores = p->c->program->scores.len;
    g->score_val = ARENA_ARRAY(&c->arena, gcc_jit_lvalue *, nscores + 1);
    g->f_sqrt = import_fn(g, "sqrt", 1);
    g->f_log = import_fn(g, "log", 1);
    g->f_pow = import_fn(g, "pow", 2);
    g->f_fabs = import_fn(g, "fabs", 1);
    g->f_floor = import_fn(g, "floor", 1);
    g->f_ceil = import_fn(g, "ceil", 1);
    g->f_trunc = import_fn(g, "trunc", 1);
    g->f_fmod = import_fn(g, "fmod", 2);
    g->f_fma = import_fn(g, "fma", 3);
    g->f_copysign = import_fn(g, "copysign", 2);

    g->entry = gcc_jit_function_new_block(g->fn, "entry");
    gcc_jit_block *cond = gcc_jit_function_new_block(g->fn, "cond");
    gcc_jit_block *body = gcc_jit_function_new_block(g->fn, "body");
    gcc_jit_block *next = gcc_jit_function_new_block(g->fn, "next");
    gcc_jit_block *done = gcc_jit_function_new_block(g->fn, "done");
    g->row = gcc_jit_function_new_local(g->fn, NULL, g->t_int, "i");
    gcc_jit_block_add_assignment(g->entry, NULL, g->row, gcc_jit_param_as_rvalue(params[11]));
    gcc_jit_block_end_with_conditional(
        cond, NULL,
        gcc_jit_context_new_comparison(ctx, NULL, GCC_JIT_COMPARISON_LT, rowv(g),
                                       gcc_jit_param_as_rvalue(params[12])),
        body, done);
    gcc_jit_block_end_with_void_return(done, NULL);

    /* scores, dependencies first; an interpreted score is read back */
    g->block = body;
    gcc_jit_lvalue *bad = gcc_jit_function_new_local(g->fn, NULL, g->t_bool, "bad");
    gcc_jit_block_add_assignment(g->block, NULL, bad,
                                 gcc_jit_context_new_rvalue_from_int(ctx, g->t_bool, 0));
    for (uint32_t k = 0; k < nscores; k++) {
        char name[32];
        snprintf(name, sizeof name, "score%u", k);
        g->score_val[k] = gcc_jit_function_new_local(g->fn, NULL, g->t_double, name);
    }
    for (uint32_t i = 0; i < p->order.len; i++) {
        Score *s = p->order.items[i];
        gcc_jit_lvalue *slot = gcc_jit_context_new_array_access(
            ctx, NULL, p_scores,
            gcc_jit_context_new_binary_op(
                ctx, NULL, GCC_JIT_BINARY_OP_PLUS, g->t_int,
                gcc_jit_context_new_binary_op(ctx, NULL, GCC_JIT_BINARY_OP_MULT, g->t_int,
                                              iconst(g, (int)s->index), p_n),
                rowv(g)));
        if (p->score_jit[s->index]) {
            gcc_jit_rvalue *value = gen_num(g, s->decl->expr);   /* first: see EX_IF */
            gcc_jit_block_add_assignment(g->block, NULL, g->score_val[s->index], value);
            gcc_jit_block_add_assignment(g->block, NULL, slot,
                                         gcc_jit_lvalue_as_rvalue(g->score_val[s->index]));
        } else {
            gcc_jit_block_add_assignment(g->block, NULL, g->score_val[s->index],
                                         gcc_jit_lvalue_as_rvalue(slot));
        }
        /* finite iff v - v == 0 (inf - inf and NaN - NaN are NaN) */
        gcc_jit_rvalue *v = gcc_jit_lvalue_as_rvalue(g->score_val[s->index]);
        gcc_jit_rvalue *finite = gcc_jit_context_new_comparison(
            ctx, NULL, GCC_JIT_COMPARISON_EQ,
            gcc_jit_context_new_binary_op(ctx, NULL, GCC_JIT_BINARY_OP_MINUS, g->t_double, v, v),
            dconst(g, 0));
        gcc_jit_block_add_assignment(
            g->block, NULL, bad,
            gcc_jit_context_new_binary_op(
                ctx, NULL, GCC_JIT_BINARY_OP_LOGICAL_OR, g->t_bool,
                gcc_jit_lvalue_as_rvalue(bad),
                gcc_jit_context_new_unary_op(ctx, NULL, GCC_JIT_UNARY_OP_LOGICAL_NEGATE,
                                             g->t_bool, finite)));
    }
    gcc_jit_lvalue *failed_at =
        gcc_jit_context_new_array_access(ctx, NULL, p_failed, rowv(g));
    gcc_jit_block_add_assignment(g->block, NULL, failed_at,
                                 gcc_jit_context_new_cast(ctx, NULL,
                                                          gcc_jit_lvalue_as_rvalue(bad),
                                                          g->t_uchar));
    if (p->decide_jit) {
        Decl *d = c->program->decide;
        gcc_jit_lvalue *dec_at = gcc_jit_context_new_array_access(ctx, NULL, p_decision, rowv(g));
        gcc_jit_lvalue *arm_at = gcc_jit_context_new_array_access(ctx, NULL, p_arm, rowv(g));
        /* (without `rank by` there is no rank column: rank is NULL) */
        gcc_jit_lvalue *rank_at =
            d->rank ? gcc_jit_context_new_array_access(ctx, NULL, p_rank, rowv(g)) : NULL;
        gcc_jit_block *failed_b = gcc_jit_function_new_block(g->fn, "failed");
        gcc_jit_block *decide_b = gcc_jit_function_new_block(g->fn, "decide");
        gcc_jit_block_end_with_conditional(g->block, NULL, gcc_jit_lvalue_as_rvalue(bad),
                                           failed_b, decide_b);
        gcc_jit_block_add_assignment(failed_b, NULL, dec_at,
                                     gcc_jit_context_new_rvalue_from_int(ctx, g->t_schar, -1));
        gcc_jit_block_add_assignment(failed_b, NULL, arm_at,
                                     gcc_jit_context_new_rvalue_from_int(ctx, g->t_short, -1));
        if (rank_at)
            gcc_jit_block_add_assignment(failed_b, NULL, rank_at, dconst(g, NAN));
        gcc_jit_block_end_with_jump(failed_b, NULL, next);
        /* rank value first (it does not depend on the arm), then the arms */
        g->block = decide_b;
        if (rank_at)
            gcc_jit_block_add_assignment(g->block, NULL, rank_at, gen_num(g, d->rank));
        int idx = 0;
        for (Arm *a = d->arms; a; a = a->next, idx++) {
            gcc_jit_block *fire = gcc_jit_function_new_block(g->fn, NULL);
            gcc_jit_block_add_assignment(
                fire, NULL, dec_at,
                gcc_jit_context_new_rvalue_from_int(ctx, g->t_schar,
                                                    a->dec));
            gcc_jit_block_add_assignment(fire, NULL, arm_at,
                                         gcc_jit_context_new_rvalue_from_int(ctx, g->t_short, idx));
            gcc_jit_block_end_with_jump(fire, NULL, next);
            if (!a->cond) {
                gcc_jit_block_end_with_jump(g->block, NULL, fire);
                g->block = NULL;
                break;
            }
            gcc_jit_block *otherwise = gcc_jit_function_new_block(g->fn, NULL);
            gcc_jit_rvalue *fires = gen_bool(g, a->cond);   /* first: see EX_IF */
            gcc_jit_block_end_with_conditional(g->block, NULL, fires, fire, otherwise);
            g->block = otherwise;
        }
        if (g->block) {
            gcc_jit_block_add_assignment(g->block, NULL, dec_at,
                                         gcc_jit_context_new_rvalue_from_int(ctx, g->t_schar, -1));
            gcc_jit_block_add_assignment(g->block, NULL, arm_at,
                                         gcc_jit_context_new_rvalue_from_int(ctx, g->t_short, -1));
            gcc_jit_block_end_with_jump(g->block, NULL, next);
        }
    } else {
        gcc_jit_block_end_with_jump(g->block, NULL, next);
    }
    gcc_jit_block_add_assignment_op(next, NULL, g->row, GCC_JIT_BINARY_OP_PLUS, iconst(g, 1));
    gcc_jit_block_end_with_jump(next, NULL, cond);
    gcc_jit_block_end_with_jump(g->entry, NULL, cond);

    /* const char *strat_key(void) { return "<hash>"; } */
    gcc_jit_type *t_cstr = gcc_jit_context_get_type(ctx, GCC_JIT_TYPE_CONST_CHAR_PTR);
    gcc_jit_function *kf = gcc_jit_context_new_function(ctx, NULL, GCC_JIT_FUNCTION_EXPORTED,
                                                        t_cstr, "strat_key", 0, NULL, 0);
    gcc_jit_block *kb = gcc_jit_function_new_block(kf, NULL);
    gcc_jit_block_end_with_return(kb, NULL,
                                  gcc_jit_context_new_string_literal(ctx, key_hash));
}

/* ---- the cache ----------------------------------------------------------- */

/*
 * The cache is a directory of compiled objects, KEY.so, each with an index
 * entry KEY.sha256 (in sha256sum's format: the SHA-256 of the object's
 * bytes as written, then the object's name).  Loading an object runs its
 * code, so nobody but the user (and root) may be able to put a file there:
 *
 *  - the directory must be the user's and not writable by group or others,
 *    and so must each parent up to $HOME (or up to / for a directory
 *    outside it), owned by the user or root (OpenSSH's rule for ~/.ssh).
 *    A world-writable parent is allowed only if it is sticky (/tmp) and
 *    the cache directory below it is private (0700).  Otherwise there is
 *    no cache: the code is compiled in memory, with one --verbose note.
 *  - an object and its index entry are each read whole through one
 *    descriptor opened with O_NOFOLLOW and checked with fstat (a regular
 *    file of the user's, not writable by group or others); the object's
 *    hash must match the index, and the bytes hashed are what dlopen maps,
 *    copied into a sealed memfd (or, where memfds may not be executed, the
 *    descriptor they were read from).  Then strat_key must name the key.  An
 *    object that fails a check is deleted (and compiled again): a planted
 *    or truncated object's constructor never runs.
 *  - a new object is compiled into a private directory made by mkdtemp in
 *    the cache (libgccjit writes it by path), read back and hashed there,
 *    fsync'ed and renamed into place; the index entry is written the same
 *    way, after the object, then the directory is fsync'ed.
 */

enum {
    OBJECT_MAX = 256 << 20,   /* bytes of a cached object, at most */
    INDEX_MAX = 256           /* bytes of an index entry, at most */
};

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U      /* Linux 6.3: a memfd that may be mapped executable */
#endif

static const char *cache_dir(Compilation *c)
{
    if (c->opts.cache_dir)
        return *c->opts.cache_dir ? c->opts.cache_dir : NULL;
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg == '/')
        return arena_printf(&c->arena, "%s/strat", xdg);
    const char *home = getenv("HOME");
    if (home && *home == '/')
        return arena_printf(&c->arena, "%s/.cache/strat", home);
    return NULL;
}

/* Creates the missing directories of path, each 0700; existing ones are
 * left as they are (they are checked afterwards). */
static void mkdirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(buf, 0700);
        *p = '/';
    }
    mkdir(buf, 0700);
}

typedef struct Loaded {
    void *handle;
    KernelFn kernel;
    int fd;                   /* what dlopen mapped, as /proc/self/fd/N (a memfd,
                               * or the object's own descriptor), kept open
                               * with the handle: glibc finds a loaded object
                               * by its name, so N must not be reused */
} Loaded;

static void unload(Loaded *lo)
{
    if (lo->handle)
        dlclose(lo->handle);
    if (lo->fd >= 0)
        close(lo->fd);
    *lo = (Loaded){NULL, NULL, -1};
}

/* The code of the last run, kept until the compilation is freed. */
typedef struct JitKept {
    const char *key_hash;
    Loaded loaded;            /* from the cache, or no handle */
    KernelFn kernel;
    gcc_jit_result *result;   /* compiled in memory, or NULL */
    gcc_jit_context *ctx;
} JitKept;

void jit_release(Compilation *c)
{
    JitKept *k = c->jit_kept;
    if (!k)
        return;
    unload(&k->loaded);
    if (k->result)
        gcc_jit_result_release(k->result);
    if (k->ctx)
        gcc_jit_context_release(k->ctx);
    c->jit_kept = NULL;
}

static void sha256_hex_of(const void *bytes, size_t len, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, bytes);
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static const char *sha256_hex(Compilation *c, const char *text, size_t len)
{
    char *hex = arena_alloc(&c->arena, 2 * SHA256_DIGEST_SIZE + 1);
    sha256_hex_of(text, len, hex);
    return hex;
}

static void verbose(Compilation *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void verbose(Compilation *c, const char *fmt, ...)
{
    if (!c->opts.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_vlog(c, "jit", fmt, ap);
    va_end(ap);
}

typedef enum CacheState {
    CACHE_NONE,               /* no cache configured (--no-cache) */
    CACHE_CLOSED,             /* not opened yet, or not there yet */
    CACHE_OPEN,
    CACHE_REFUSED             /* unsafe or unusable: said once, never retried */
} CacheState;

/* One run's view of the cache.  Its descriptors and temporary directory
 * are not the arena's: the cache functions release them before returning,
 * and on the way out of an allocation failure (cache_guard). */
typedef struct Cache {
    Compilation *c;
    CacheState state;
    const char *dir;          /* as configured */
    char *real;               /* resolved, once open */
    int dirfd;
    const char *object;       /* KEY.so */
    const char *index;        /* KEY.sha256 */
    char *tmpdir;             /* the private build directory, or NULL */
    int fd, fd2;              /* a file being read or written, or -1 */
    Loaded loaded;            /* loaded but not yet handed to the caller */
} Cache;

static void cache_init(Cache *k, Compilation *c)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->dir = cache_dir(c);
    k->state = k->dir ? CACHE_CLOSED : CACHE_NONE;
    k->dirfd = k->fd = k->fd2 = -1;
    k->loaded.fd = -1;
    k->real = arena_alloc(&c->arena, PATH_MAX);
}

/* The names of the object and index entry for a key. */
static void cache_name(Cache *k, const char *key_hash)
{
    k->object = arena_printf(&k->c->arena, "%s.so", key_hash);
    k->index = arena_printf(&k->c->arena, "%s.sha256", key_hash);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Removes the build directory with what libgccjit or we left in it. */
static void remove_tmpdir(Cache *k)
{
    if (!k->tmpdir)
        return;
    char path[PATH_MAX];
    static const char *const names[] = {"kernel.so", "index"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", k->tmpdir, names[i]);
        unlink(path);
    }
    rmdir(k->tmpdir);
    k->tmpdir = NULL;
}

/* Everything the cache holds open, released (what was loaded included). */
static void cache_close(Cache *k)
{
    close_fd(&k->fd);
    close_fd(&k->fd2);
    remove_tmpdir(k);
    unload(&k->loaded);
    close_fd(&k->dirfd);
    if (k->state == CACHE_OPEN)
        k->state = CACHE_CLOSED;
}

/* Runs fn(k, arg) so that an allocation failure inside it closes the
 * cache's descriptors and removes its build directory before travelling
 * on to the library's entry point. */
static bool cache_guard(Cache *k, bool (*fn)(Cache *, void *), void *arg)
{
    Compilation *c = k->c;
    jmp_buf here;
    jmp_buf *outer = c->arena.oom_jump;
    if (setjmp(here)) {
        c->arena.oom_jump = outer;
        cache_close(k);
        longjmp(*outer, 1);
    }
    c->arena.oom_jump = &here;
    bool ok = fn(k, arg);
    c->arena.oom_jump = outer;
    return ok;
}

/* Why a directory on the cache's path may not hold it, or NULL.  The leaf
 * is the cache directory itself, which must be the user's. */
static const char *unsafe_dir(Cache *k, const char *path, const struct stat *st, bool leaf)
{
    uid_t me = geteuid();
    if (!S_ISDIR(st->st_mode))
        return arena_printf(&k->c->arena, "%s is not a directory", path);
    if (st->st_uid != me && (leaf || st->st_uid != 0))
        return arena_printf(&k->c->arena, "%s is owned by uid %u", path, (unsigned)st->st_uid);
    if ((st->st_mode & 022) && (leaf || !(st->st_mode & S_ISVTX)))
        return arena_printf(&k->c->arena, "%s is writable by group or others", path);
    return NULL;
}

/* Opens the cache directory if it and its parents are safe (see above);
 * else says why once, and the run has no cache.  create: make it first. */
static bool cache_open(Cache *k, bool create)
{
    if (k->state == CACHE_OPEN)
        return true;
    if (k->state != CACHE_CLOSED)
        return false;
    Compilation *c = k->c;
    const char *why = NULL;
    if (create)
        mkdirs(k->dir);
    if (!realpath(k->dir, k->real)) {
        if (errno == ENOENT && !create)
            return false;   /* nothing cached yet */
        why = arena_printf(&c->arena, "%s", strerror(errno));
        goto refused;
    }
    k->dirfd = open(k->real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat leaf;
    if (k->dirfd < 0 || fstat(k->dirfd, &leaf) != 0) {
        why = arena_printf(&c->arena, "%s: %s", k->real, strerror(errno));
        goto refused;
    }
    if ((why = unsafe_dir(k, k->real, &leaf, true)))
        goto refused;
    /* the parents, up to $HOME or / (realpath left no symlinks; lstat
     * sees one put there since) */
    char home[PATH_MAX];
    const char *h = getenv("HOME");
    bool have_home = h && *h == '/' && realpath(h, home);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", k->real);
    bool sticky_above = false;
    while (strcmp(path, "/") != 0 && !(have_home && strcmp(path, home) == 0)) {
        char *slash = strrchr(path, '/');
        if (slash == path)
            slash[1] = '\0';
        else
            *slash = '\0';
        struct stat st;
        if (lstat(path, &st) != 0) {
            why = arena_printf(&c->arena, "%s: %s", path, strerror(errno));
            goto refused;
        }
        if ((why = unsafe_dir(k, path, &st, false)))
            goto refused;
        sticky_above |= (st.st_mode & 022) != 0;
    }
    if (sticky_above && (leaf.st_mode & 077)) {
        why = arena_printf(&c->arena, "%s is below a world-writable directory and not 0700",
                           k->real);
        goto refused;
    }
    /* the directory opened is the one whose parents were checked */
    struct stat again;
    if (lstat(k->real, &again) != 0 || again.st_dev != leaf.st_dev ||
        again.st_ino != leaf.st_ino) {
        why = arena_printf(&c->arena, "%s changed while it was checked", k->real);
        goto refused;
    }
    k->state = CACHE_OPEN;
    return true;
refused:
    close_fd(&k->dirfd);
    k->state = CACHE_REFUSED;
    verbose(c, "cache %s not used: %s", k->dir, why);
    return false;
}

typedef struct Blob {
    uint8_t *bytes;
    size_t len;
    bool missing;             /* there is no such file */
} Blob;

/* Why a cache file may not be read, or NULL. */
static const char *unsafe_file(Cache *k, const struct stat *st, size_t max)
{
    if (!S_ISREG(st->st_mode))
        return "not a regular file";
    if (st->st_uid != geteuid())
        return arena_printf(&k->c->arena, "owned by uid %u", (unsigned)st->st_uid);
    if (st->st_mode & 022)
        return "writable by group or others";
    if ((uint64_t)st->st_size > max)
        return "too large";
    return NULL;
}

/* Reads name (in the directory dirfd) whole through one descriptor, left
 * open in k->fd: a regular file of the user's, not writable by group or
 * others, at most max bytes.  The buffer is allocated before the file is
 * opened, from an lstat, and the descriptor must show the same file.
 * Returns why not, or NULL (out->missing: no such file, no reason). */
static const char *read_checked(Cache *k, int dirfd, const char *name, size_t max, Blob *out)
{
    memset(out, 0, sizeof *out);
    struct stat before, st;
    if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0) {
        out->missing = errno == ENOENT;
        return out->missing ? NULL : strerror(errno);
    }
    const char *why = unsafe_file(k, &before, max);
    if (why)
        return why;
    size_t size = (size_t)before.st_size;
    out->bytes = arena_alloc(&k->c->arena, size + 1);
    close_fd(&k->fd);
    k->fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (k->fd < 0 || fstat(k->fd, &st) != 0)
        return strerror(errno);
    if ((why = unsafe_file(k, &st, max)))
        return why;
    if (st.st_dev != before.st_dev || st.st_ino != before.st_ino ||
        st.st_size != before.st_size)
        return "changed while read";
    while (out->len <= size) {   /* one byte more than expected: EOF is seen */
        ssize_t got = read(k->fd, out->bytes + out->len, size + 1 - out->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return strerror(errno);
        if (got == 0)
            break;
        out->len += (size_t)got;
    }
    if (out->len != size)
        return "changed while read";
    return NULL;
}

static bool write_all(int fd, const void *bytes, size_t len)
{
    const uint8_t *b = bytes;
    while (len > 0) {
        ssize_t put = write(fd, b, len);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        b += put;
        len -= (size_t)put;
    }
    return true;
}

/* dlopens the object open as fd and checks that it says it was built
 * from this key; the kernel into k->loaded. */
static const char *dlopen_fd(Cache *k, int fd, const char *key_hash)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        return arena_printf(&k->c->arena, "dlopen: %s", e ? e : "failed");
    }
    const char *(*keyfn)(void) = (const char *(*)(void))dlsym(h, "strat_key");
    KernelFn kernel = (KernelFn)dlsym(h, "strat_kernel");
    if (!keyfn || !kernel || strcmp(keyfn(), key_hash) != 0) {
        dlclose(h);
        return "compiled from other rules";
    }
    k->loaded.handle = h;
    k->loaded.kernel = kernel;
    return NULL;
}

/* Loads the bytes that were hashed, not the file: they are copied into a
 * memfd sealed against writing, and that is what dlopen maps.  Where
 * memfds cannot be executed (vm.memfd_noexec=2), the file's own
 * descriptor k->fd, which only the user or root can change, is loaded. */
static const char *load_bytes(Cache *k, const Blob *b, const char *key_hash)
{
    int fd = memfd_create("strat-jit", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)   /* before Linux 6.3 */
        fd = memfd_create("strat-jit", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    const char *why = NULL;
    if (fd >= 0) {
        k->loaded.fd = fd;
        if (!write_all(fd, b->bytes, b->len) ||
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
            why = arena_printf(&k->c->arena, "memfd: %s", strerror(errno));
        else
            why = dlopen_fd(k, fd, key_hash);
        if (!why)
            return NULL;
        close_fd(&k->loaded.fd);
    }
    if (k->fd < 0)
        return why ? why : strerror(errno);
    if (dlopen_fd(k, k->fd, key_hash) != NULL)
        return why ? why : "dlopen failed";
    k->loaded.fd = k->fd;   /* kept open with the handle */
    k->fd = -1;
    return NULL;
}

/* Deletes an object that failed a check, and its index entry. */
static void cache_evict(Cache *k, const char *why)
{
    unlinkat(k->dirfd, k->object, 0);
    unlinkat(k->dirfd, k->index, 0);
    verbose(k->c, "cached %s/%s rejected (%s): deleted", k->real, k->object, why);
}

/* The index entry for an object of these bytes, as sha256sum prints it. */
static const char *index_line(Cache *k, const Blob *obj)
{
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_hex_of(obj->bytes, obj->len, hex);
    return arena_printf(&k->c->arena, "%s  %s\n", hex, k->object);
}

/* Finds the object for this key in the cache, checked and loaded into
 * k->loaded; an object that fails a check is evicted. */
static bool lookup(Cache *k, void *key_hash)
{
    if (!cache_open(k, false))
        return false;
    Blob idx, obj;
    const char *why = read_checked(k, k->dirfd, k->index, INDEX_MAX, &idx);
    close_fd(&k->fd);
    if (!why && !idx.missing)
        why = read_checked(k, k->dirfd, k->object, OBJECT_MAX, &obj);
    if (!why && idx.missing) {
        /* an object without an index entry is never loaded */
        struct stat st;
        if (fstatat(k->dirfd, k->object, &st, AT_SYMLINK_NOFOLLOW) == 0)
            why = "no index entry";
    } else if (!why && obj.missing) {
        why = "the object is missing";
    } else if (!why) {
        const char *want = index_line(k, &obj);
        if (idx.len != strlen(want) || memcmp(idx.bytes, want, idx.len) != 0)
            why = "its SHA-256 does not match the index";
        else
            why = load_bytes(k, &obj, key_hash);
    }
    close_fd(&k->fd);
    if (!why && k->loaded.kernel)
        return true;
    if (why)
        cache_evict(k, why);
    return false;
}

typedef struct StoreArgs {
    gcc_jit_context *ctx;
    const char *key_hash;
    const char *why;          /* why the object was not cached, or NULL */
    bool ctx_failed;          /* libgccjit reported an error: ctx is spent */
} StoreArgs;

/* Compiles the context into the cache (see above) and loads the bytes it
 * hashed into k->loaded, even when they could not be kept.  False when
 * nothing could be loaded (the caller compiles in memory). */
static bool store(Cache *k, void *arg)
{
    StoreArgs *a = arg;
    Compilation *c = k->c;
    if (!cache_open(k, true)) {
        a->why = "the cache is not used";
        return false;
    }
    char *tmpdir = arena_printf(&c->arena, "%s/.build-XXXXXX", k->real);
    if (!mkdtemp(tmpdir)) {
        a->why = arena_printf(&c->arena, "%s: %s", k->real, strerror(errno));
        return false;
    }
    k->tmpdir = tmpdir;
    k->fd2 = open(tmpdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (k->fd2 < 0) {
        a->why = arena_printf(&c->arena, "%s: %s", tmpdir, strerror(errno));
        return false;
    }
    int tmpfd = k->fd2;
    const char *objpath = arena_printf(&c->arena, "%s/kernel.so", tmpdir);
    gcc_jit_context_compile_to_file(a->ctx, GCC_JIT_OUTPUT_KIND_DYNAMIC_LIBRARY, objpath);
    const char *err = gcc_jit_context_get_first_error(a->ctx);
    if (err) {
        a->ctx_failed = true;
        a->why = arena_printf(&c->arena, "compiling to a file: %s", err);
        return false;
    }
    /* the linker made it 0777 less the umask: ours alone, and read back
     * through a descriptor, so the bytes hashed are the bytes loaded */
    Blob obj;
    if (fchmodat(tmpfd, "kernel.so", 0600, 0) != 0 ||
        (a->why = read_checked(k, tmpfd, "kernel.so", OBJECT_MAX, &obj)) || obj.missing) {
        a->why = a->why ? a->why : strerror(errno);
        return false;
    }
    const char *line = index_line(k, &obj);
    if ((a->why = load_bytes(k, &obj, a->key_hash)))
        return false;
    /* kept: the object, then its index entry, each durable before it is
     * renamed into place, then the renames themselves */
    if (fsync(k->fd) != 0) {
        a->why = strerror(errno);
        return true;
    }
    close_fd(&k->fd);
    k->fd = openat(tmpfd, "index", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (k->fd < 0 || !write_all(k->fd, line, strlen(line)) || fsync(k->fd) != 0 ||
        renameat(tmpfd, "kernel.so", k->dirfd, k->object) != 0 ||
        renameat(tmpfd, "index", k->dirfd, k->index) != 0 || fsync(k->dirfd) != 0) {
        a->why = strerror(errno);
        return true;
    }
    return true;
}

/* ---- the compiler's version, without loading it -------------------------------
 *
 * The key names the libgccjit version that compiles the code, so that an
 * upgraded library compiles afresh.  Loading the library only to ask would
 * cost every warm run some 12 ms (its 117,000 relocations, each page of
 * them a copy-on-write fault), as much as the cached kernel itself takes
 * on a million services.  So when a run has the library loaded, it leaves
 * a note in the cache: the version, and the identity of the file the
 * loader opened (path, device, inode, size, mtime, ctime).  A later run
 * that finds the note, and a file of that identity at that path (an
 * upgrade replaces it), takes the version from the note and loads the
 * library only if it must compile, checking the version then.  The note
 * is read as an index entry is (the cache's rules above); the path in it
 * is only stat()ed.  Where the loader could pick another file
 * (LD_LIBRARY_PATH, STRAT_LIBGCCJIT) there are no notes: the library is
 * loaded and asked. */
#define NOTE_NAME "libgccjit.identity"
enum { NOTE_MAX = PATH_MAX + 256 };

typedef struct Compiler {
    char version[32];
    bool from_note;           /* not loaded to ask (yet) */
    bool write_note;          /* loaded, and the cache has no note that holds */
} Compiler;

static bool notes_usable(void)
{
    return !secure_getenv("STRAT_LIBGCCJIT") && !getenv("LD_LIBRARY_PATH");
}

static void loaded_version(char out[32])
{
    snprintf(out, 32, "%d.%d.%d", gcc_jit_version_major(), gcc_jit_version_minor(),
             gcc_jit_version_patchlevel());
}

/* The note's text for the file st at path. */
static const char *note_line(Compilation *c, const char *version, const struct stat *st,
                             const char *path)
{
    return arena_printf(&c->arena, "%s %llu %llu %lld %lld %ld %lld %ld %s\n", version,
                        (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
                        (long long)st->st_size, (long long)st->st_mtim.tv_sec,
                        st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
                        st->st_ctim.tv_nsec, path);
}

/* cache_guard's function: the version from the cache's note into arg (a
 * Compiler), if the file it describes is still the one at its path. */
static bool note_read(Cache *k, void *arg)
{
    Compiler *cc = arg;
    if (!cache_open(k, false))
        return false;
    Blob b;
    const char *why = read_checked(k, k->dirfd, NOTE_NAME, NOTE_MAX, &b);
    close_fd(&k->fd);
    if (why || b.missing)
        return false;
    char *text = (char *)b.bytes;
    text[b.len] = '\0';   /* (read_checked leaves room for one byte more) */
    char version[32];
    int at = 0;
    if (sscanf(text, "%31s %*s %*s %*s %*s %*s %*s %*s %n", version, &at) != 1 || at == 0)
        return false;
    char *path = text + at;
    char *nl = strchr(path, '\n');
    struct stat st;
    if (!nl || nl[1] || *path != '/')
        return false;
    *nl = '\0';
    const char *now = stat(path, &st) == 0 ? note_line(k->c, version, &st, path) : "";
    *nl = '\n';
    if (strlen(now) != b.len || memcmp(now, text, b.len) != 0)
        return false;
    memcpy(cc->version, version, sizeof version);
    return true;
}

/* cache_guard's function: the note of the loaded library, written beside
 * the objects (a temporary renamed into place).  Best effort: a run
 * without a note loads the library. */
static bool note_write(Cache *k, void *arg)
{
    const Compiler *cc = arg;
    struct link_map *lm = NULL;
    struct stat st;
    if (!cache_open(k, false) || dlinfo(gccjit.handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm ||
        !lm->l_name || lm->l_name[0] != '/' || stat(lm->l_name, &st) != 0)
        return false;
    const char *line = note_line(k->c, cc->version, &st, lm->l_name);
    char tmp[96];
    snprintf(tmp, sizeof tmp, ".%s.%ld.%lx", NOTE_NAME, (long)getpid(),
             (unsigned long)(uintptr_t)k->c);
    close_fd(&k->fd);
    k->fd = openat(k->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (k->fd < 0)
        return false;
    bool ok = write_all(k->fd, line, strlen(line)) &&
              renameat(k->dirfd, tmp, k->dirfd, NOTE_NAME) == 0;
    if (!ok)
        unlinkat(k->dirfd, tmp, 0);
    close_fd(&k->fd);
    return ok;
}

static void plan_seal(Plan *p, const char *compiler_version)
{
    p->key_len = p->key_body_len;
    p->key[p->key_len] = '\0';
    key_put(p, "libgccjit %s\n", compiler_version);
    p->key_hash = sha256_hex(p->c, p->key, p->key_len);
}

/* The key sealed with the compiler's version: this compilation's last one,
 * the cache's note, or the library's own, loaded now.  False (said with
 * --verbose) when the library cannot be loaded: the run interprets. */
static bool compiler_identify(Plan *p, Cache *cache, Compiler *cc)
{
    Compilation *c = p->c;
    memset(cc, 0, sizeof *cc);
    if (c->jit_compiler && strlen(c->jit_compiler) < sizeof cc->version) {
        strcpy(cc->version, c->jit_compiler);
        cc->from_note = true;   /* (checked, if it must compile, as a note's is) */
    } else {
        bool noted = notes_usable() && cache_guard(cache, note_read, cc);
        cache_close(cache);   /* (note_read may have opened it) */
        if (noted) {
            cc->from_note = true;
            verbose(c, "libgccjit %s, as the cache notes: not loaded", cc->version);
        } else {
            const char *why;
            if (!gccjit_load(&why)) {
                verbose(c, "libgccjit cannot be loaded (%s): interpreting", why);
                return false;
            }
            loaded_version(cc->version);
            cc->write_note = notes_usable();
        }
        c->jit_compiler = arena_strndup(&c->arena, cc->version, strlen(cc->version));
    }
    plan_seal(p, cc->version);
    return true;
}

/* The library loaded to compile: a note's version is checked now, and a
 * key made with another is sealed again (the caller renames the cache's
 * files).  False when it cannot be loaded. */
static bool compiler_load(Plan *p, Compiler *cc, bool *resealed)
{
    *resealed = false;
    if (!cc->from_note)
        return true;
    const char *why;
    if (!gccjit_load(&why)) {
        verbose(p->c, "libgccjit cannot be loaded (%s): interpreting", why);
        return false;
    }
    char real[32];
    loaded_version(real);
    cc->from_note = false;
    if (strcmp(real, cc->version) != 0) {
        memcpy(cc->version, real, sizeof real);
        p->c->jit_compiler = arena_strndup(&p->c->arena, real, strlen(real));
        plan_seal(p, real);
        *resealed = true;
        cc->write_note = notes_usable();
    }
    return true;
}

/* A note of the library, when this run loaded it and found none. */
static void note_update(Cache *cache, Compiler *cc)
{
    if (!cc->write_note)
        return;
    cc->write_note = false;
    cache_guard(cache, note_write, cc);
    cache_close(cache);
}

/* ---- 1. the plan: what compiles, and the cache key ---------------------------- */

/* The plan of this run, or NULL when there is nothing to compile (or too
 * many rows for the kernel's int32 indexing). */
static Plan *plan_new(Eval *ev)
{
    Compilation *c = ev->c;
    Program *prog = c->program;
    Plan *p = ARENA_NEW(&c->arena, Plan);
    p->c = c;
    p->ev = ev;
    p->svc = kind_table(c, EK_SERVICE);
    p->slot_read = ARENA_ARRAY(&c->arena, bool, p->svc->nattrs + 1);
    uint32_t n = p->svc->count;
    if (n == 0 || n > INT32_MAX / (prog->scores.len + 1) ||
        (prog->scores.len == 0 && !prog->decide))
        return NULL;
    /* under --jit=auto a small portfolio is interpreted (kernel_get): no
     * need of the library then, nor of its version in the key */
    bool may_compile = c->opts.jit != STRAT_JIT_AUTO || n >= JIT_AUTO_WARM;
    bool *seen = ARENA_ARRAY(&c->arena, bool, prog->scores.len + 1);
    const bool *wanted = ev->res ? ev->res->score_wanted : NULL;   /* decide.c */
    for (uint32_t i = 0; i < prog->scores.len; i++)
        if (!wanted || wanted[i])
            order_scores(c, prog->scores.items[i], &p->order, seen);
    p->score_jit = ARENA_ARRAY(&c->arena, bool, prog->scores.len + 1);
    /* the compiler's version is the key's last line (plan_seal) */
    if (may_compile)
        key_put(p, "strat-jit 1 %s source %s O%d\n", STRAT_VERSION, STRAT_JIT_SOURCE,
                c->test.jit_O0 ? 0 : 3);
    else
        key_put(p, "strat-jit 1 %s interpreted\n", STRAT_VERSION);   /* (not looked up) */
    for (uint32_t i = 0; i < p->svc->nattrs; i++)
        key_put(p, "attr %u %d\n", i, (int)p->svc->attrs[i].type.kind);
    /* a score compiles if it and every score it calls compile */
    for (uint32_t i = 0; i < p->order.len; i++) {
        Score *s = p->order.items[i];
        size_t mark = p->key_len;
        key_put(p, "score %u ", s->index);
        bool ok = plan_num(p, s->decl->expr);
        if (ok) {
            PtrVec deps = {0};
            bool *seen2 = ARENA_ARRAY(&c->arena, bool, prog->scores.len + 1);
            score_deps(c, s->decl->expr, &deps, seen2);
            for (uint32_t k = 0; k < deps.len; k++)
                ok &= p->score_jit[((Score *)deps.items[k])->index];
        }
        p->score_jit[s->index] = ok;
        if (!ok) {
            p->key_len = mark;
            p->key[mark] = '\0';
            key_put(p, "score %u interpreted\n", s->index);
            verbose(c, "score `%s` is interpreted: it uses something the JIT does not "
                       "compile", s->name);
        } else {
            key_put(p, "\n");
        }
    }
    Decl *d = prog->decide;
    if (d) {
        size_t mark = p->key_len;
        bool ok = true;
        for (Arm *a = d->arms; a && ok; a = a->next) {
            key_put(p, "arm %d ", a->dec);
            ok = !a->cond || plan_bool(p, a->cond);
            key_put(p, "\n");
        }
        if (ok && d->rank) {
            key_put(p, "rank ");
            ok = plan_num(p, d->rank);
        }
        /* arms may call interpreted scores: they read the column */
        p->decide_jit = ok;
        if (!ok) {
            p->key_len = mark;
            p->key[mark] = '\0';
            key_put(p, "decide interpreted\n");
            verbose(c, "the decide table is interpreted: an arm uses something the JIT "
                       "does not compile");
        }
    }
    p->key_body_len = p->key_len;
    if (!may_compile)
        plan_seal(p, "none");
    return p;
}

/* ---- 2. the kernel: kept, from the cache, or compiled now ---------------------- */

typedef struct Kernel {
    KernelFn fn;
    Loaded loaded;            /* from the cache: what holds fn */
    gcc_jit_result *result;   /* compiled in memory: what holds fn */
    gcc_jit_context *ctx;
    bool reused;              /* the kept kernel of an earlier run */
} Kernel;

/* A context with the kernel generated in it, or NULL (said why). */
static gcc_jit_context *new_context(Plan *p, const char *key_hash)
{
    Compilation *c = p->c;
    gcc_jit_context *ctx = gcc_jit_context_acquire();
    if (!ctx)
        return NULL;
    gcc_jit_context_set_int_option(ctx, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL,
                                   c->test.jit_O0 ? 0 : 3);
    /* the interpreter never fuses a*b+c; neither may the JIT */
    gcc_jit_context_add_command_line_option(ctx, "-ffp-contract=off");
    gcc_jit_context_add_command_line_option(ctx, "-fno-fast-math");
    generate(p, ctx, key_hash);
    const char *err = gcc_jit_context_get_first_error(ctx);
    if (err) {
        verbose(c, "code generation failed: %s", err);
        gcc_jit_context_release(ctx);
        return NULL;
    }
    return ctx;
}

static void say_interpreting(Compilation *c, uint32_t n)
{
    verbose(c, "%u services: interpreting (compiling pays from %u, cached code "
               "from %u)", n, (unsigned)JIT_AUTO_COLD, (unsigned)JIT_AUTO_WARM);
}

/* The compiled code of p: kept from an earlier run in this compilation
 * (`strat sensitivity` decides the portfolio hundreds of times), from the
 * cache, or compiled now (and cached).  False, with nothing held, when it
 * cannot be had or (--jit=auto) would not pay: the caller interprets. */
static bool kernel_get(Plan *p, Kernel *k)
{
    Compilation *c = p->c;
    uint32_t n = p->svc->count;
    memset(k, 0, sizeof *k);
    k->loaded = (Loaded){NULL, NULL, -1};
    bool is_auto = c->opts.jit == STRAT_JIT_AUTO;
    if (is_auto && n < JIT_AUTO_WARM) {
        say_interpreting(c, n);
        return false;
    }
    Cache *cache = ARENA_NEW(&c->arena, Cache);
    cache_init(cache, c);
    Compiler cc;
    if (!compiler_identify(p, cache, &cc))
        return false;
    JitKept *kept = c->jit_kept;
    k->reused = kept && strcmp(kept->key_hash, p->key_hash) == 0;
    if (k->reused) {
        k->fn = kept->kernel;
        verbose(c, "compiled code reused");
        return true;
    }
    cache_name(cache, p->key_hash);
    bool cached = cache_guard(cache, lookup, (void *)p->key_hash);
    if (cached) {
        k->loaded = cache->loaded;   /* handed over: the cache no longer holds it */
        cache->loaded = (Loaded){NULL, NULL, -1};
    }
    cache_close(cache);   /* nothing held open across what follows */
    if (cached) {
        verbose(c, "loaded %s/%s from the cache", cache->real, cache->object);
        k->fn = k->loaded.kernel;
        if (!k->fn)
            unload(&k->loaded);
        else
            note_update(cache, &cc);
        return k->fn != NULL;
    }
    if (is_auto && n < JIT_AUTO_COLD) {
        say_interpreting(c, n);
        return false;
    }
    bool resealed;
    if (!compiler_load(p, &cc, &resealed))
        return false;
    if (resealed)
        cache_name(cache, p->key_hash);
    k->ctx = new_context(p, p->key_hash);
    if (!k->ctx)
        return false;
    if (cache->state != CACHE_NONE && cache->state != CACHE_REFUSED) {
        StoreArgs sa = {k->ctx, p->key_hash, NULL, false};
        bool stored = cache_guard(cache, store, &sa);
        if (stored) {
            k->loaded = cache->loaded;
            cache->loaded = (Loaded){NULL, NULL, -1};
        }
        cache_close(cache);
        if (stored) {
            if (!sa.why)
                verbose(c, "compiled and cached %s/%s", cache->real, cache->object);
            else
                verbose(c, "compiled, but could not cache it (%s): running it from "
                           "memory", sa.why);
        } else if (cache->state != CACHE_REFUSED) {
            verbose(c, "could not cache the compiled code (%s): compiling in memory",
                    sa.why);
        }
        /* a context that failed keeps its first error: start afresh */
        if (sa.ctx_failed) {
            gcc_jit_context_release(k->ctx);
            k->ctx = new_context(p, p->key_hash);
        }
    }
    k->fn = k->loaded.kernel;
    if (!k->fn && k->ctx) {
        k->result = gcc_jit_context_compile(k->ctx);
        if (!k->result) {
            verbose(c, "compilation failed: %s", gcc_jit_context_get_first_error(k->ctx));
            gcc_jit_context_release(k->ctx);
            k->ctx = NULL;
            unload(&k->loaded);
            return false;
        }
        k->fn = (KernelFn)gcc_jit_result_get_code(k->result, "strat_kernel");
        verbose(c, "compiled in memory");
    }
    if (!k->fn) {
        unload(&k->loaded);
        if (k->result)
            gcc_jit_result_release(k->result);
        if (k->ctx)
            gcc_jit_context_release(k->ctx);
        return false;
    }
    note_update(cache, &cc);
    return true;
}

/* The kernel of this run kept for the next (released by strat_free). */
static void kernel_keep(Plan *p, const Kernel *k)
{
    Compilation *c = p->c;
    if (k->reused)
        return;
    jit_release(c);
    JitKept *kept = ARENA_NEW(&c->arena, JitKept);
    *kept = (JitKept){p->key_hash, k->loaded, k->fn, k->result, k->ctx};
    c->jit_kept = kept;
}

/* ---- 3. the run: the kernel over every service -------------------------------- */

typedef struct KernelArgs {
    KernelFn fn;
    double **num;
    int32_t **i32;
    uint32_t **spans;
    const double *params;
    const int32_t *atoms;
    double **extra;
    Results *res;
    uint8_t *failed;
    int32_t n;
} KernelArgs;

/* Rows [lo, hi): each slice writes its own rows only (parallel_rows). */
static void kernel_slice(void *ctx, uint32_t lo, uint32_t hi)
{
    KernelArgs *a = ctx;
    a->fn(a->num, a->i32, a->spans, a->params, a->atoms, a->extra, a->res->scores,
          a->res->decision, a->res->arm, a->res->rank_value, a->failed, (int32_t)lo,
          (int32_t)hi, a->n);
}

/* Rows split across the cores from this many services on. */
enum { KERNEL_MIN_ROWS_PER_THREAD = 50000 };

/* The runtime parameters (norm ranges, atom ids, alignment and exposure
 * columns, by the interpreter's own code), the scores the kernel does not
 * compute (by the interpreter, first: the kernel reads them back), then
 * the kernel over every row. */
static void kernel_run(Plan *p, KernelFn fn, Results *res)
{
    Compilation *c = p->c;
    Eval *ev = p->ev;
    uint32_t n = p->svc->count;
    double *params = ARENA_ARRAY(&c->arena, double, 2 * p->norm_sites.len + 2);
    for (uint32_t i = 0; i < p->norm_sites.len; i++) {
        Expr *e = p->norm_sites.items[i];
        ev->locals[0] = 0;
        ev->local_kinds[0] = EK_SERVICE;
        /* the interpreter fixes the range on first use */
        (void)eval_expr(ev, e);
        uint32_t k = (uint32_t)e->aux - 1;
        params[2 * i] = ev->norm_lo[k];
        params[2 * i + 1] = ev->norm_hi[k];
    }
    int32_t *atoms = ARENA_ARRAY(&c->arena, int32_t, p->atoms.len + 1);
    for (uint32_t i = 0; i < p->atoms.len; i++)
        atoms[i] = atom_id(c, p->atoms.items[i]);
    double **extra = ARENA_ARRAY(&c->arena, double *, p->extra_sites.len + 2);
    if (p->uses_alignment) {
        extra[0] = arena_alloc(&c->arena, sizeof(double) * n);
        for (uint32_t r = 0; r < n; r++)
            extra[0][r] = eval_alignment(ev, (int32_t)r);
    }
    for (uint32_t i = 0; i < p->extra_sites.len; i++) {
        Expr *e = p->extra_sites.items[i];
        extra[i + 1] = arena_alloc(&c->arena, sizeof(double) * n);
        if (e->u.call.builtin == B_FORECAST) {
            /* the horizon is a constant (typecheck.c): one column per h */
            uint32_t h = (uint32_t)eval_expr(ev, e->u.call.args[1]).num;
            memcpy(extra[i + 1], demand_column(c, c->program->demand, h), sizeof(double) * n);
            continue;
        }
        Builtin b = (Builtin)e->u.call.builtin;
        for (uint32_t r = 0; r < n; r++)
            extra[i + 1][r] =
                b == B_ALLOCATED_COST ? showback_full_cost(c->program, (int32_t)r)
                : b == B_CHARGE
                    ? showback_charge(c->program, (int32_t)r, e->u.call.args[1]->u.name.sym->index)
                    : eval_exposure(ev, (int32_t)r, e->u.call.args[1]->u.name.id);
    }
    for (uint32_t i = 0; i < p->order.len; i++) {
        Score *s = p->order.items[i];
        if (p->score_jit[s->index])
            continue;
        double *col = res->scores + (size_t)s->index * n;
        for (uint32_t r = 0; r < n; r++)
            col[r] = eval_score(ev, s, r);
        res->score_ready[s->index] = true;
    }
    double **num = ARENA_ARRAY(&c->arena, double *, p->svc->nattrs + 1);
    int32_t **i32 = ARENA_ARRAY(&c->arena, int32_t *, p->svc->nattrs + 1);
    uint32_t **spans = ARENA_ARRAY(&c->arena, uint32_t *, p->svc->nattrs + 1);
    for (uint32_t i = 0; i < p->svc->nattrs; i++) {
        /* a column nothing wrote has no storage; the kernel reads arrays */
        if (p->slot_read[i])
            column_materialize(c, p->svc, (int)i);
        num[i] = p->svc->cols[i].num;
        i32[i] = p->svc->cols[i].i32;
        spans[i] = (uint32_t *)p->svc->cols[i].list;
    }
    /* (zeroed here, so its page faults are not the kernel's time) */
    uint8_t *failed = ARENA_ARRAY(&c->arena, uint8_t, n);
    KernelArgs args = {fn, num, i32, spans, params, atoms, extra, res, failed, (int32_t)n};
    double t0 = now_ms();
    int nthreads = parallel_rows(c, n, KERNEL_MIN_ROWS_PER_THREAD, kernel_slice, &args);
    if (c->opts.verbose)
        diag_log(c, "jit", "kernel %.1f ms on %d thread%s", now_ms() - t0,
                nthreads, nthreads == 1 ? "" : "s");
    for (uint32_t r = 0; r < n; r++)
        res->failed[r] = failed[r] != 0;
    for (uint32_t i = 0; i < p->order.len; i++)
        res->score_ready[((Score *)p->order.items[i])->index] = true;
}

/* ---- the three together ------------------------------------------------------- */

bool jit_run(Eval *ev, Results *res, bool *decided)
{
    *decided = false;
    Plan *p = plan_new(ev);
    if (!p)
        return false;
    Kernel k;
    if (!kernel_get(p, &k))
        return false;
    kernel_run(p, k.fn, res);
    *decided = p->decide_jit;
    kernel_keep(p, &k);
    Program *prog = ev->c->program;
    unsigned ncompiled = 0;
    for (uint32_t i = 0; i < prog->scores.len; i++)
        ncompiled += p->score_jit[i];
    verbose(ev->c, "%u services, %u of %u scores compiled, decide %s", p->svc->count,
            ncompiled, prog->scores.len, p->decide_jit ? "compiled" : "interpreted");
    return true;
}
