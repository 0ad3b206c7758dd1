/*
 * query.c — the language server's questions about a checked program
 * (analysis.h): hover, completion, rename, the code actions' waiver, the
 * workspace's symbols and the code lenses.  Takes a document checked in
 * its context (checked.h) and gives plain data in the session's arena,
 * positions in its encoding; requests.c turns that into LSP replies.
 *
 * Like analysis.c it reads the library's internals (program.h): the
 * position index, the kinds' attributes, the scores' declarations.  Every
 * call that allocates in the compilation's arena runs under its guard
 * (STRAT_GUARD), so running out of memory there is an answer, not a jump
 * across the server.
 */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checked.h"
#include "diag.h"
#include "intern.h"
#include "dates.h"
#include "dtoa.h"
#include "source.h"
#include "unparse.h"

/* ---- helpers ----------------------------------------------------------------- */

/* A growing text in the session's arena. */
typedef struct Text {
    Arena *a;
    char *s;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        while (ncap < t->len + n + 1)
            ncap *= 2;
        t->s = arena_realloc(t->a, t->s, t->cap, ncap);
        t->cap = ncap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void text_printf(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    char *s = arena_alloc(t->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    text_add(t, s, (size_t)n);
}

static const char *number_text(Arena *a, double v)
{
    char buf[DTOA_BUFSIZE];
    int n = dtoa_format(buf, v);
    return arena_strndup(a, buf, (size_t)n);
}

/* The source text of l, or "". */
static Str loc_text(Compilation *c, Loc l)
{
    Source *src = l.file ? source_get(c, l.file) : NULL;
    if (!src || l.end < l.start || l.end > src->len)
        return (Str){"", 0};
    return (Str){src->text + l.start, l.end - l.start};
}

/* The line and column of l's start (under c's guard: a source's line
 * starts are built on the first question). */
static strat_status line_of(Compilation *c, Loc l, LineCol *out)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *out = source_linecol(c, l.file, l.start);
    return STRAT_OK;
}

/* "bank.strat:702": where l starts, as the diagnostics show its file. */
static const char *loc_place(Compilation *c, Arena *a, Loc l)
{
    Source *src = l.file ? source_get(c, l.file) : NULL;
    LineCol lc;
    if (!src || line_of(c, l, &lc) != STRAT_OK)
        return "?";
    return arena_printf(a, "%s:%u", src->path, lc.line);
}

/* The site at byte `offset` of source `file` (under c's guard: the index
 * is built on the first question). */
static strat_status site_at(Compilation *c, uint32_t file, uint32_t offset, SymbolSite *out,
                            bool *found)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *found = c->program && file && program_symbol_at(c, file, offset, out);
    return STRAT_OK;
}

static bool is_word(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* The word (letters, digits, _) around byte `at` of text, or false. */
static bool word_at(const char *text, uint32_t len, uint32_t at, uint32_t *start,
                    uint32_t *end)
{
    uint32_t b = at, e = at;
    while (b > 0 && is_word(text[b - 1]))
        b--;
    while (e < len && is_word(text[e]))
        e++;
    *start = b;
    *end = e;
    return e > b;
}

/* ---- hover ------------------------------------------------------------------- */

/* Service row's decision in every table, its arm and its scores. */
static void hover_service(LspChecked *k, Text *t, uint32_t row)
{
    strat_compilation *c = k->c;
    const KindTable *svc = kind_table(c, EK_SERVICE);
    text_printf(t, "**service** `%s`", svc->names[row]);
    int title = attr_slot(svc, c->n.title);
    int32_t atom = title >= 0 ? col_i32(svc, title, row) : -1;
    if (atom >= 0)
        text_printf(t, " — %s", atom_name(c, atom));
    text_add(t, "\n", 1);
    if (!strat_decided(c)) {
        text_printf(t, "\nnot decided: %s\n",
                    strat_error_count(c) ? "the strategy has errors" : "no decide block");
        return;
    }
    /* one paragraph per decision table (one today: `decide`) */
    for (size_t tab = 0; tab < strat_table_count(c); tab++) {
        strat_decision d;
        if (!strat_service_decision(c, row, tab, &d))
            continue;
        text_printf(t, "\n**%s**: %s (rank %u of %zu)", strat_table_name(c, tab), d.outcome,
                    d.rank, strat_service_count(c));
        if (d.file)
            text_printf(t, " — arm at %s:%u", d.file, d.line);
        text_add(t, "\n", 1);
        if (d.because)
            text_printf(t, "\nbecause: %s\n", d.because);
    }
    bool header = false;
    for (size_t s = 0; s < strat_score_count(c); s++) {
        double v;
        if (!strat_service_score(c, row, s, &v))
            continue;
        if (!header)
            text_printf(t, "\n| score | value |\n|---|---|\n");
        header = true;
        text_printf(t, "| `%s` | %s |\n", strat_score_name(c, s),
                    isnan(v) ? "not a number" : number_text(t->a, v));
    }
}

/* A score: its declaration as written, and its range over the portfolio. */
static void hover_score(LspChecked *k, Text *t, uint32_t index)
{
    strat_compilation *c = k->c;
    const Score *sc = c->program->scores.items[index];
    const Decl *d = sc->decl;
    Loc whole = d->loc;
    if (d->expr && d->expr->loc.end > whole.end)
        whole.end = d->expr->loc.end;
    Str src = loc_text(c, whole);
    text_printf(t, "**score** `%s` — %s\n\n```strat\n%.*s\n```\n", sc->name,
                loc_place(c, t->a, d->name_loc), (int)src.len, src.s);
    size_t s;
    for (s = 0; s < strat_score_count(c); s++)
        if (strat_score_name(c, s) == sc->name ||
            strcmp(strat_score_name(c, s), sc->name) == 0)
            break;
    double lo = INFINITY, hi = -INFINITY;
    size_t n = 0, nan = 0;
    for (size_t i = 0; i < strat_service_count(c); i++) {
        double v;
        if (!strat_service_score(c, i, s, &v))
            continue;
        if (isnan(v)) {
            nan++;
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        n++;
    }
    if (n)
        text_printf(t, "\nover the portfolio (%zu services): min %s, max %s\n", n,
                    number_text(t->a, lo), number_text(t->a, hi));
    else if (!strat_decided(c))
        text_printf(t, "\nnot computed: the strategy was not decided\n");
    if (nan)
        text_printf(t, "\nnot a number for %zu services\n", nan);
}

/* The attribute's type and default as text (both may allocate in c). */
static strat_status attr_texts(Compilation *c, const AttrDef *a, const char **type,
                               const char **def)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *type = type_name(c, &a->type);
    if (a->default_expr)
        *def = expr_text(c, a->default_expr);
    return STRAT_OK;
}

/* An attribute: its kind, type, range or allowed values, and default. */
static void hover_attr(LspChecked *k, Text *t, EntityKind kind, int slot)
{
    strat_compilation *c = k->c;
    const KindTable *kt = kind_table(c, kind);
    const AttrDef *a = &kt->attrs[slot];
    const char *type = "?", *def = NULL;
    attr_texts(c, a, &type, &def);
    text_printf(t, "**attribute** `%s.%s`: %s%s\n", entity_kind_name(kind), a->name, type,
                a->required ? " (required)" : "");
    if (a->has_min || a->has_max) {
        text_printf(t, "\nrange: ");
        if (a->has_min)
            text_printf(t, "%s %s", a->min_excl ? ">" : ">=", number_text(t->a, a->min));
        if (a->has_min && a->has_max)
            text_add(t, ", ", 2);
        if (a->has_max)
            text_printf(t, "%s %s", a->max_excl ? "<" : "<=", number_text(t->a, a->max));
        text_add(t, "\n", 1);
    }
    if (a->nallowed) {
        text_printf(t, "\none of:");
        for (uint32_t i = 0; i < a->nallowed; i++)
            text_printf(t, " `%s`", a->allowed[i]);
        text_add(t, "\n", 1);
    }
    if (def)
        text_printf(t, "\ndefault: `%s`\n", def);
    if (a->loc.file)
        text_printf(t, "\ndeclared at %s\n", loc_place(c, t->a, a->loc));
    else
        text_printf(t, "\nbuilt in\n");
}

/* A diagnostic code: its title, check name and help (diag_codes.def). */
static bool hover_code(Text *t, const char *code, size_t len)
{
    int k = diag_find_check(code, len);
    if (k < 0 || len != 5)
        return false;
    const DiagInfo *di = diag_info((DiagCode)k);
    text_printf(t, "**%s** — %s (`%s`)\n\n%s\n", di->code, di->title, di->name, di->help);
    return true;
}

static bool is_code(const char *s, uint32_t n)
{
    if (n != 5 || (s[0] != 'S' && s[0] != 's'))
        return false;
    for (uint32_t i = 1; i < 5; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

bool lsp_hover(LspSession *s, const char *uri, LspPosition pos, Arena *a, LspHover *out,
               const char **why)
{
    memset(out, 0, sizeof *out);
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    Document *d = k.doc;
    uint32_t offset = checked_offset(&k, pos);
    Text t = {a, NULL, 0, 0};
    SymbolSite site;
    bool found = false;
    site_at(k.c, k.file, offset, &site, &found);
    LspRange range = {{0, 0}, {0, 0}};
    if (found) {
        range = checked_range(&k, site.loc);
        const Symbol *sym = &site.sym;
        if (sym->kind == SYM_ENTITY && sym->entity_kind == EK_SERVICE)
            hover_service(&k, &t, (uint32_t)sym->index);
        else if (sym->kind == SYM_SCORE)
            hover_score(&k, &t, (uint32_t)sym->index);
        else if (sym->kind == SYM_ATTR)
            hover_attr(&k, &t, (EntityKind)sym->entity_kind, sym->index);
        else if (sym->kind == SYM_ENTITY)
            text_printf(&t, "**%s** `%s` — %s\n", entity_kind_name(sym->entity_kind),
                        sym->name, loc_place(k.c, a, sym->loc));
        else if (sym->kind == SYM_DECISION)
            text_printf(&t, "**decision** `%s`\n", sym->name);
        else if (sym->kind == SYM_CONST || sym->kind == SYM_RULE)
            text_printf(&t, "**%s** `%s` — %s\n", symbol_kind_name(sym->kind), sym->name,
                        loc_place(k.c, a, sym->loc));
    }
    uint32_t ws, we;
    if (!t.len && word_at(d->text, (uint32_t)d->len, offset, &ws, &we) &&
        is_code(d->text + ws, we - ws) && hover_code(&t, d->text + ws, we - ws)) {
        /* a code written in the text (a comment, a lint block) */
        range = line_index_range(&k.lines, ws, we, s->encoding);
    }
    if (!t.len && k.file) {
        /* a diagnostic under the cursor: its code's documentation */
        for (size_t i = 0; i < strat_diag_count(k.c); i++) {
            strat_diag_info info;
            if (!strat_diag_get(k.c, i, &info))
                break;
            if (info.range.file_index + 1 != k.file || offset < info.range.start_byte ||
                offset > info.range.end_byte)
                continue;
            if (hover_code(&t, info.code, strlen(info.code))) {
                Loc l = {k.file, (uint32_t)info.range.start_byte,
                         (uint32_t)info.range.end_byte};
                range = checked_range(&k, l);
                break;
            }
        }
    }
    bool ok = !strat_out_of_memory(k.c);
    if (ok && t.len) {
        out->markdown = t.s;
        out->range = range;
    }
    if (!ok)
        *why = "out of memory";
    checked_close(&k);
    return ok;
}

/* ---- code actions -------------------------------------------------------------- */

static bool ranges_meet(LspRange a, LspRange b)
{
    /* a ends before b starts, or b ends before a starts: apart */
    if (a.end.line < b.start.line ||
        (a.end.line == b.start.line && a.end.character < b.start.character))
        return false;
    if (b.end.line < a.start.line ||
        (b.end.line == a.start.line && b.end.character < a.start.character))
        return false;
    return true;
}

static Loc range_loc(const strat_range *r)
{
    if (r->file_index == STRAT_NO_FILE)
        return (Loc){0, 0, 0};
    return (Loc){(uint32_t)r->file_index + 1, (uint32_t)r->start_byte, (uint32_t)r->end_byte};
}

static int severity_of(strat_severity sev)
{
    return sev == STRAT_SEVERITY_ERROR ? LSP_SEV_ERROR
         : sev == STRAT_SEVERITY_WARNING ? LSP_SEV_WARNING
                                         : LSP_SEV_INFORMATION;
}

/* The entity and the rule of a rule finding (S0913, decide.c), read from
 * its structure, not its wording: the finding's range is the entity's
 * name and its first note's range the rule's (rule_at), each a site of
 * the program's position index.  Both NULL when the finding is not about
 * one entity ("rule r does not hold", "broken by 3 more services").
 * Under c's guard: the index is built on first use. */
static strat_status rule_finding_subjects(Compilation *c, Loc entity_at, Loc rule_at, Arena *a,
                                          const char **entity, const char **rule)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *entity = *rule = NULL;
    SymbolSite e, r;
    if (!c->program || !entity_at.file || !rule_at.file ||
        !program_symbol_at(c, entity_at.file, entity_at.start, &e) ||
        e.sym.kind != SYM_ENTITY || !program_symbol_at(c, rule_at.file, rule_at.start, &r) ||
        r.sym.kind != SYM_RULE)
        return STRAT_OK;
    *entity = arena_strndup(a, e.sym.name, strlen(e.sym.name));
    *rule = arena_strndup(a, r.sym.name, strlen(r.sym.name));
    return STRAT_OK;
}

/* A name as written in a declaration: in backquotes unless it is a word. */
static const char *written_name(Arena *a, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!is_word(*p))
            return arena_printf(a, "`%s`", name);
    return name;
}

/* A name made a word: every other character an underscore. */
static const char *word_of(Arena *a, const char *name)
{
    char *w = arena_strndup(a, name, strlen(name));
    for (char *p = w; *p; p++)
        if (!is_word(*p))
            *p = '_';
    return w;
}

/* How many days a waiver's skeleton runs from today. */
enum { WAIVER_DAYS = 90 };

/* "add a waiver": a waiver block at the end of the document. */
static void waiver_action(LspChecked *k, LspAction *act, const char *entity, const char *rule)
{
    Arena *a = k->a;
    Document *d = k->doc;
    int y;
    unsigned m, day;
    civil_from_days(k->c->program->today + WAIVER_DAYS, &y, &m, &day);
    const char *lead = d->len == 0 ? "" : d->text[d->len - 1] == '\n' ? "\n" : "\n\n";
    act->title = arena_printf(a, "add a waiver of rule `%s` for `%s`", rule, entity);
    act->edits = ARENA_NEW(a, LspEdit);
    act->nedits = 1;
    LspPosition end = line_index_position(&k->lines, (uint32_t)d->len, k->s->encoding);
    act->edits[0] = (LspEdit){d->uri, {end, end},
                              arena_printf(a, "%swaiver %s_%s {\n"
                                              "  rule   = %s\n"
                                              "  entity = %s\n"
                                              "  until  = %04d-%02u-%02u\n"
                                              "  reason = \"TODO: why the rule may be broken "
                                              "until then\"\n"
                                              "}\n",
                                           lead, rule, word_of(a, entity),
                                           written_name(a, rule), written_name(a, entity),
                                           y, m, day)};
}

bool lsp_code_actions(LspSession *s, const char *uri, LspRange range, Arena *a,
                      LspAction **out, uint32_t *n, const char **why)
{
    *out = NULL;
    *n = 0;
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    PtrVec acts = {0};
    for (size_t i = 0; k.file && i < strat_diag_count(k.c); i++) {
        strat_diag_info info;
        if (!strat_diag_get(k.c, i, &info))
            break;
        if (info.range.file_index + 1 != k.file)
            continue;
        LspDiagnostic diag = {uri, checked_range(&k, range_loc(&info.range)),
                              severity_of(info.severity),
                              arena_strndup(a, info.code, strlen(info.code)),
                              info.hint ? arena_printf(a, "%s\nhelp: %s", info.message,
                                                       info.hint)
                                        : arena_strndup(a, info.message,
                                                        strlen(info.message)),
                              NULL, 0};
        if (!ranges_meet(diag.range, range))
            continue;
        for (size_t f = 0; f < info.nfixes; f++) {
            strat_fixit fix;
            if (!strat_diag_fix(k.c, i, f, &fix))
                break;
            Loc l = range_loc(&fix.range);
            Str old = loc_text(k.c, l);
            LspAction *act = ARENA_NEW(a, LspAction);
            act->diag = diag;
            act->preferred = fix.machine_applicable;
            act->title = !old.len ? arena_printf(a, "%s: insert `%s`", diag.code, fix.text)
                       : !fix.text[0] ? arena_printf(a, "%s: remove `%.*s`", diag.code,
                                                      (int)old.len, old.s)
                                      : arena_printf(a, "%s: replace `%.*s` with `%s`",
                                                     diag.code, (int)old.len, old.s,
                                                     fix.text);
            act->edits = ARENA_NEW(a, LspEdit);
            act->nedits = 1;
            act->edits[0] = (LspEdit){checked_uri(&k, l), checked_range(&k, l),
                                      arena_strndup(a, fix.text, strlen(fix.text))};
            ptrvec_push(a, &acts, act);
        }
        const char *entity = NULL, *rule = NULL, *note;
        strat_range rule_range;
        if (strcmp(info.code, "S0913") == 0 && k.c->program &&
            strat_diag_note(k.c, i, 0, &note, &rule_range))
            rule_finding_subjects(k.c, range_loc(&info.range), range_loc(&rule_range), a,
                                  &entity, &rule);
        if (entity && rule) {
            LspAction *act = ARENA_NEW(a, LspAction);
            act->diag = diag;
            waiver_action(&k, act, entity, rule);
            ptrvec_push(a, &acts, act);
        }
    }
    bool ok = !strat_out_of_memory(k.c);
    if (ok) {
        *out = ARENA_ARRAY(a, LspAction, acts.len + 1);
        for (uint32_t i = 0; i < acts.len; i++)
            (*out)[(*n)++] = *(LspAction *)acts.items[i];
    } else {
        *why = "out of memory";
    }
    checked_close(&k);
    return ok;
}

/* ---- completion -------------------------------------------------------------- */

/* Items offered at most: a reference list of a million CSV-loaded services
 * offers the first of those that match what is typed. */
enum { MAX_COMPLETIONS = 200 };

static const char *const top_keywords[] = {
    "import", "strategy", "role", "team", "customer", "objective", "service", "offering",
    "value_stream", "appetite", "schema", "score", "rule", "decide", "approval",
    "scenario", "load", "waiver", "limit", "test", "const", "lint",
};

/* Where the cursor is, read from the text alone (it may not parse). */
typedef struct Context {
    uint32_t block;            /* the innermost open `{`, or UINT32_MAX */
    uint32_t list;             /* an open `[` inside it, or UINT32_MAX */
    uint32_t prefix;           /* the start of the word being typed */
} Context;

static Context cursor_context(const char *text, uint32_t at)
{
    Context cx = {UINT32_MAX, UINT32_MAX, at};
    uint32_t braces[64], brackets[64];
    uint32_t nb = 0, nk = 0, depth = 0;
    for (uint32_t i = 0; i < at; i++) {
        char ch = text[i];
        if (ch == '#') {
            while (i < at && text[i] != '\n')
                i++;
        } else if (ch == '"') {
            for (i++; i < at && text[i] != '"' && text[i] != '\n'; i++)
                if (text[i] == '\\')
                    i++;
        } else if (ch == '{') {
            if (depth < 64)
                braces[depth] = i;
            depth++;
            nk = 0;
        } else if (ch == '}') {
            depth -= depth > 0;
            nk = 0;
        } else if (ch == '[') {
            if (nk < 64)
                brackets[nk] = i;
            nk++;
        } else if (ch == ']') {
            nk -= nk > 0;
        }
    }
    nb = depth < 64 ? depth : 64;
    if (nb)
        cx.block = braces[nb - 1];
    if (nk && nk <= 64)
        cx.list = brackets[nk - 1];
    while (cx.prefix > 0 && is_word(text[cx.prefix - 1]))
        cx.prefix--;
    return cx;
}

/* The first word of the header of the block opening at `brace`
 * ("service" in "service web {"), into *w (NUL-terminated, short). */
static void block_word(const char *text, uint32_t brace, char *w, size_t cap)
{
    uint32_t b = brace;
    while (b > 0 && text[b - 1] != '\n' && text[b - 1] != '}' && text[b - 1] != '{')
        b--;
    while (b < brace && !is_word(text[b]))
        b++;
    size_t n = 0;
    while (b < brace && is_word(text[b]) && n + 1 < cap)
        w[n++] = text[b++];
    w[n] = '\0';
}

/* The attribute name before `= ` or `= [` ending at `end` (exclusive),
 * into *w; false when the text there is not `NAME =`. */
static bool attr_before(const char *text, uint32_t end, uint32_t floor, char *w, size_t cap)
{
    uint32_t i = end;
    while (i > floor && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    if (i == floor || text[i - 1] != '=')
        return false;
    i--;
    while (i > floor && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    uint32_t e = i;
    while (i > floor && is_word(text[i - 1]))
        i--;
    if (e == i || e - i + 1 > cap)
        return false;
    memcpy(w, text + i, e - i);
    w[e - i] = '\0';
    return true;
}

typedef struct Items {
    Arena *a;
    const char *typed;         /* the prefix being typed */
    size_t typed_len;
    LspCompletion *items;
    uint32_t n;
    bool incomplete;
} Items;

static void offer(Items *it, const char *label, int kind, const char *detail)
{
    if (strncmp(label, it->typed, it->typed_len) != 0)
        return;
    if (it->n == MAX_COMPLETIONS) {
        it->incomplete = true;
        return;
    }
    for (uint32_t i = 0; i < it->n; i++)
        if (strcmp(it->items[i].label, label) == 0)
            return;
    /* label and detail may live in the compilation, freed before the
     * reply is written */
    it->items[it->n++] = (LspCompletion){arena_strndup(it->a, label, strlen(label)), kind,
                                         detail ? arena_strndup(it->a, detail, strlen(detail))
                                                : NULL};
}

static int kind_of_word(const char *w)
{
    for (int k = 0; k < EK_COUNT; k++)
        if (strcmp(entity_kind_name((EntityKind)k), w) == 0)
            return k;
    return -1;
}

/* The names of every row of the kinds in the mask. */
static void offer_rows(Compilation *c, Items *it, unsigned kinds)
{
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        const KindTable *t = kind_table(c, (EntityKind)k);
        for (uint32_t r = 0; r < t->count; r++)
            offer(it, t->names[r], CI_REFERENCE, entity_kind_name((EntityKind)k));
    }
}

/* Inside the block of an entity of kind k. */
static void complete_entity(Compilation *c, Items *it, const char *text, const Context *cx,
                            EntityKind k)
{
    const KindTable *t = kind_table(c, k);
    char attr[64];
    const AttrDef *def = NULL;
    bool value = false;
    if (cx->list != UINT32_MAX) {
        /* in `supports = [...`: the names of the kinds the list takes */
        if (attr_before(text, cx->list, cx->block + 1, attr, sizeof attr))
            value = true;
    } else if (attr_before(text, cx->prefix, cx->block + 1, attr, sizeof attr)) {
        value = true;
    }
    if (value) {
        for (uint32_t i = 0; i < t->nattrs; i++)
            if (strcmp(t->attrs[i].name, attr) == 0)
                def = &t->attrs[i];
        if (!def)
            return;
        const Type *ty = &def->type;
        if (ty->kind == T_LIST && ty->elem)
            ty = ty->elem;
        if (ty->kind == T_ENTITY)
            offer_rows(c, it, ty->kinds);
        for (uint32_t i = 0; i < def->nallowed; i++)
            offer(it, def->allowed[i], CI_ENUM_MEMBER, def->name);
        if (ty->kind == T_BOOL) {
            offer(it, "true", CI_KEYWORD, NULL);
            offer(it, "false", CI_KEYWORD, NULL);
        }
        return;
    }
    for (uint32_t i = 0; i < t->nattrs; i++) {
        const char *ty = NULL;
        attr_texts(c, &t->attrs[i], &ty, &(const char *){NULL});
        offer(it, t->attrs[i].name, CI_PROPERTY, ty);
    }
    if (k == EK_SERVICE)
        offer(it, "risk", CI_KEYWORD, "a risk block");
    if (k == EK_VALUE_STREAM)
        offer(it, "stage", CI_KEYWORD, "a stage block");
}

/* Inside `decide { ... }`: an arm's outcome at the start of a line, the
 * scores in a condition. */
static void complete_decide(Compilation *c, Items *it, const char *text, const Context *cx)
{
    uint32_t b = cx->prefix;
    while (b > cx->block + 1 && (text[b - 1] == ' ' || text[b - 1] == '\t'))
        b--;
    if (b == cx->block + 1 || text[b - 1] == '\n') {
        for (int d = 0; d < DEC_COUNT; d++)
            offer(it, decision_name((Decision)d), CI_ENUM_MEMBER, "decision");
        offer(it, "rank", CI_KEYWORD, "rank by SCORE(s) desc");
        return;
    }
    for (uint32_t i = 0; c->program && i < c->program->scores.len; i++) {
        const Score *sc = c->program->scores.items[i];
        offer(it, sc->name, CI_FUNCTION, "score");
    }
    offer(it, "when", CI_KEYWORD, NULL);
    offer(it, "otherwise", CI_KEYWORD, NULL);
    offer(it, "because", CI_KEYWORD, NULL);
}

bool lsp_complete(LspSession *s, const char *uri, LspPosition pos, Arena *a,
                  LspCompletionList *out, const char **why)
{
    memset(out, 0, sizeof *out);
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    Document *d = k.doc;
    const char *text = d->text;
    uint32_t at = checked_offset(&k, pos);
    Context cx = cursor_context(text, at);
    Items it = {a, text + cx.prefix, at - cx.prefix,
                ARENA_ARRAY(a, LspCompletion, MAX_COMPLETIONS), 0, false};
    Compilation *c = k.c;
    if (cx.block == UINT32_MAX) {
        for (size_t i = 0; i < sizeof top_keywords / sizeof *top_keywords; i++)
            offer(&it, top_keywords[i], CI_KEYWORD, NULL);
    } else if (c->program) {
        char word[32];
        block_word(text, cx.block, word, sizeof word);
        int kind = kind_of_word(word);
        if (kind >= 0)
            complete_entity(c, &it, text, &cx, (EntityKind)kind);
        else if (strcmp(word, "decide") == 0)
            complete_decide(c, &it, text, &cx);
    }
    bool ok = !strat_out_of_memory(c);
    if (ok) {
        out->items = it.items;
        out->n = it.n;
        out->incomplete = it.incomplete;
    } else {
        *why = "out of memory";
    }
    checked_close(&k);
    return ok;
}
static strat_status references(Compilation *c, const Symbol *sym, const SymbolSite **out,
                               uint32_t *n)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *n = program_references(c, sym, true, out);
    return STRAT_OK;
}

/* ---- rename ---------------------------------------------------------------- */

/* The reserved words (docs/language.md, "Names"): not a new name. */
static const char *const reserved[] = {
    "import", "strategy", "role", "team", "customer", "objective", "service", "offering",
    "value_stream", "appetite", "schema", "score", "rule", "decide", "approval", "scenario",
    "load", "from", "waiver", "limit", "test", "const", "risk", "stage", "when", "because",
    "otherwise", "rank", "by", "asc", "desc", "all", "any", "in", "where", "for", "if",
    "then", "else", "and", "or", "not", "true", "false", "none", "set", "expect",
    "required", "let", "lint",
};

static const char *bad_name(const char *name)
{
    if (!name[0] || isdigit((unsigned char)name[0]))
        return "a name starts with a letter or _";
    for (const char *p = name; *p; p++)
        if (!is_word(*p))
            return "a name has only letters, digits and _";
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(reserved[i], name) == 0)
            return "that word is reserved";
    return NULL;
}

/* Why what sym denotes cannot be renamed, or NULL. */
static const char *cannot_rename(Compilation *c, const Symbol *sym, const SymbolSite *sites,
                                 uint32_t n)
{
    switch (sym->kind) {
    case SYM_BUILTIN: return "a built-in function cannot be renamed";
    case SYM_DECISION: return "a decision's name is part of the language";
    case SYM_VALUE: return "a symbol value is declared by no one place";
    case SYM_BUDGET: case SYM_APPROVAL_DECISION: return "a built-in name cannot be renamed";
    case SYM_ATTR:
        if (!sym->loc.file)
            return "a built-in attribute cannot be renamed";
        break;
    case SYM_ENTITY: {
        const KindTable *t = kind_table(c, (EntityKind)sym->entity_kind);
        if (sym->index >= 0 && (uint32_t)sym->index < t->count && !row_decl(t, (uint32_t)sym->index))
            return "a name loaded from a CSV file cannot be renamed here: rename it in "
                   "the CSV file";
        break;
    }
    default: break;
    }
    for (uint32_t i = 0; i < n; i++) {
        Source *src = source_get(c, sites[i].loc.file);
        if (src && src->is_csv)
            return "the name is written in a CSV file: rename it there";
        if (src && src->is_stdlib)
            return "the name is declared or used in the standard library";
    }
    return NULL;
}

/* The declaration the new name would clash with in the namespace of what
 * sym denotes, as a refusal; NULL when the name is free (or is sym's own).
 * Entities of every kind share one namespace (resolve.c); consts, scores,
 * rules and decide tables each have their own; an attribute's is its
 * kind's attributes, built in or from a schema.  A bound variable is
 * scoped: not checked.  Under c's guard (the name is interned). */
static strat_status collision(Compilation *c, const Symbol *sym, const char *name, Arena *a,
                              const char **refusal)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *refusal = NULL;
    Name n = intern_cstr(c, name);
    if (n == sym->name)
        return STRAT_OK;
    switch (sym->kind) {
    case SYM_ENTITY:
        for (int k = 0; k < EK_COUNT && !*refusal; k++)
            if (kind_lookup(kind_table(c, (EntityKind)k), n) >= 0)
                *refusal = arena_printf(a, "`%s` is already the name of a %s", name,
                                        entity_kind_name((EntityKind)k));
        break;
    case SYM_CONST:
        if (program_const(c, n))
            *refusal = arena_printf(a, "`%s` is already the name of a const", name);
        break;
    case SYM_SCORE:
        if (program_score(c, n))
            *refusal = arena_printf(a, "`%s` is already the name of a score", name);
        break;
    case SYM_RULE:
        if (program_rule(c, n))
            *refusal = arena_printf(a, "`%s` is already the name of a rule", name);
        break;
    case SYM_TABLE:
        if (program_table_named(c, n))
            *refusal = arena_printf(a, "`%s` is already the name of a decide table", name);
        break;
    case SYM_ATTR:
        if (sym->entity_kind >= 0 &&
            attr_slot(kind_table(c, (EntityKind)sym->entity_kind), n) >= 0)
            *refusal = arena_printf(a, "`%s` is already an attribute of %s", name,
                                    entity_kind_name((EntityKind)sym->entity_kind));
        break;
    default:
        break;
    }
    return STRAT_OK;
}

/* The name at pos in k's document and what it denotes, when it can be
 * renamed: its site and every reference (its declaration among them);
 * else out->refusal says why. */
static void rename_target(LspChecked *k, LspPosition pos, SymbolSite *site,
                          const SymbolSite **sites, uint32_t *n, const char **refusal)
{
    bool found = false;
    *n = 0;
    site_at(k->c, k->file, checked_offset(k, pos), site, &found);
    if (!found)
        *refusal = "there is no name here to rename";
    else if (references(k->c, &site->sym, sites, n) == STRAT_OK)
        *refusal = cannot_rename(k->c, &site->sym, *sites, *n);
}

bool lsp_prepare_rename(LspSession *s, const char *uri, LspPosition pos, Arena *a,
                        LspRenameTarget *out, const char **why)
{
    memset(out, 0, sizeof *out);
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    SymbolSite site;
    const SymbolSite *sites = NULL;
    uint32_t n = 0;
    rename_target(&k, pos, &site, &sites, &n, &out->refusal);
    if (!out->refusal && !strat_out_of_memory(k.c)) {
        out->range = checked_range(&k, site.loc);
        out->placeholder = arena_strndup(a, site.sym.name, strlen(site.sym.name));
    }
    bool ok = !strat_out_of_memory(k.c);
    if (!ok)
        *why = "out of memory";
    checked_close(&k);
    return ok;
}

bool lsp_rename(LspSession *s, const char *uri, LspPosition pos, const char *name, Arena *a,
                LspRename *out, const char **why)
{
    memset(out, 0, sizeof *out);
    Document *d = doc_find(s, uri);
    if (!d) {
        *why = "the document is not open";
        return false;
    }
    if ((out->refusal = bad_name(name)))
        return true;
    LspChecked k;
    if (!checked_open(s, d, a, &k, why))
        return false;
    SymbolSite site;
    const SymbolSite *sites = NULL;
    uint32_t n = 0;
    rename_target(&k, pos, &site, &sites, &n, &out->refusal);
    if (!out->refusal && !strat_out_of_memory(k.c))
        collision(k.c, &site.sym, name, a, &out->refusal);
    if (!out->refusal && !strat_out_of_memory(k.c)) {
        out->edits = ARENA_ARRAY(a, LspEdit, n + 1);
        const char *text = arena_strndup(a, name, strlen(name));
        for (uint32_t i = 0; i < n; i++)
            if (sites[i].loc.file)
                out->edits[out->nedits++] = (LspEdit){checked_uri(&k, sites[i].loc),
                                                      checked_range(&k, sites[i].loc), text};
    }
    bool ok = !strat_out_of_memory(k.c);
    if (!ok)
        *why = "out of memory";
    checked_close(&k);
    return ok;
}

/* ---- workspace symbols ---------------------------------------------------------- */

/* Symbols given at most: a strategy loading a million services from CSV
 * answers with the first that match. */
enum { MAX_WORKSPACE_SYMBOLS = 500 };

static bool matches(const char *name, const char *query)
{
    size_t q = strlen(query), n = strlen(name);
    for (size_t i = 0; i + q <= n; i++)
        if (strncasecmp(name + i, query, q) == 0)
            return true;
    return false;
}

typedef struct Found {
    Arena *a;
    LspWorkspaceSymbol *syms;
    uint32_t n;
} Found;

static void found_add(LspChecked *k, Found *f, const char *name, int kind,
                      const char *container, Loc loc)
{
    Source *src = loc.file ? source_get(k->c, loc.file) : NULL;
    if (!src || src->is_stdlib || f->n == MAX_WORKSPACE_SYMBOLS)
        return;
    const char *uri = checked_uri(k, loc);
    LspRange r = checked_range(k, loc);
    for (uint32_t i = 0; i < f->n; i++)    /* met through another document */
        if (f->syms[i].range.start.line == r.start.line &&
            f->syms[i].range.start.character == r.start.character &&
            strcmp(f->syms[i].uri, uri) == 0)
            return;
    f->syms[f->n++] = (LspWorkspaceSymbol){arena_strndup(f->a, name, strlen(name)), kind,
                                           container, uri, r};
}

static void program_symbols(LspChecked *k, Found *f, const char *query)
{
    Compilation *c = k->c;
    Program *p = c->program;
    if (!p)
        return;
    for (int kind = 0; kind < EK_COUNT; kind++) {
        const KindTable *t = &p->kinds[kind];
        for (uint32_t r = 0; r < t->count; r++)
            if (matches(t->names[r], query))
                found_add(k, f, t->names[r], SYM_CLASS, entity_kind_name((EntityKind)kind),
                          row_loc(t, r));
    }
    for (uint32_t i = 0; i < p->scores.len; i++) {
        const Score *sc = p->scores.items[i];
        if (matches(sc->name, query))
            found_add(k, f, sc->name, SYM_FUNCTION, "score", sc->decl->name_loc);
    }
    for (uint32_t i = 0; i < p->rules.len; i++) {
        const Rule *ru = p->rules.items[i];
        if (matches(ru->name, query))
            found_add(k, f, ru->name, SYM_BOOLEAN, "rule", ru->decl->name_loc);
    }
    for (uint32_t i = 0; i < p->consts.len; i++) {
        const Const *co = p->consts.items[i];
        if (matches(co->name, query))
            found_add(k, f, co->name, SYM_CONSTANT, "const", co->decl->name_loc);
    }
}

bool lsp_workspace_symbols(LspSession *s, const char *query, Arena *a,
                           LspWorkspaceSymbol **out, uint32_t *n, const char **why)
{
    Found f = {a, ARENA_ARRAY(a, LspWorkspaceSymbol, MAX_WORKSPACE_SYMBOLS), 0};
    for (uint32_t i = 0; i < s->ndocs; i++) {
        Document *d = s->docs[i];
        if (doc_covered_by(s, d))
            continue;          /* its importer's check has it */
        LspChecked k;
        if (!checked_open(s, d, a, &k, why))
            return false;
        program_symbols(&k, &f, query);
        checked_close(&k);
    }
    *out = f.syms;
    *n = f.n;
    return true;
}

/* ---- code lenses ------------------------------------------------------------ */

bool lsp_code_lenses(LspSession *s, const char *uri, Arena *a, LspLens **out, uint32_t *n,
                     const char **why)
{
    *out = NULL;
    *n = 0;
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    Compilation *c = k.c;
    const KindTable *svc = c->program ? kind_table(c, EK_SERVICE) : NULL;
    uint32_t count = svc ? svc->count : 0;
    size_t ntables = strat_table_count(c);
    *out = ARENA_ARRAY(a, LspLens, count + 1);
    for (uint32_t r = 0; k.file && r < count; r++) {
        if (row_loc(svc, r).file != k.file || !row_decl(svc, r))
            continue;
        Text t = {a, NULL, 0, 0};
        for (size_t tab = 0; tab < ntables; tab++) {
            strat_decision dec;
            if (!strat_service_decision(c, r, tab, &dec))
                continue;
            text_printf(&t, "%s%s: %s, rank %u of %zu", t.len ? "; " : "",
                        strat_table_name(c, tab), dec.outcome, dec.rank,
                        strat_service_count(c));
        }
        if (!t.len)
            text_printf(&t, "%s", !ntables ? "no decide block"
                                  : strat_error_count(c) ? "not decided: the strategy has errors"
                                                         : "not decided");
        (*out)[(*n)++] = (LspLens){checked_range(&k, row_loc(svc, r)), t.s};
    }
    bool ok = !strat_out_of_memory(c);
    if (!ok)
        *why = "out of memory";
    checked_close(&k);
    return ok;
}
