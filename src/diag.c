/*
 * diag.c — collecting diagnostics and printing them.
 *
 * Stages record diagnostics in any order; printing sorts them by file, then
 * position, then emission order, so the bytes are the same on every run.
 * Text output follows GCC/Clang (file:line:col: severity: message, the
 * source line, a caret and ~ underline, notes); JSON, SARIF 2.1.0 and GitHub
 * workflow commands serve CI.
 */
#include <stdarg.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "json.h"
#include "source.h"

#define BLOCKS true
#define FINDING false
static const DiagInfo diag_table[] = {
#define X(e, code, name, sev, title, help, stop) {code, name, SEV_##sev, title, help, stop},
#include "diag_codes.def"
#undef X
};
#undef BLOCKS
#undef FINDING

const DiagInfo *diag_info(DiagCode code)
{
    return &diag_table[code];
}

static const char *severity_word(Severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_INFO: return "info";
    case SEV_NOTE: return "note";
    }
    return "error";
}

/* A million-row load can make a million warnings of one kind; past this
 * many of one code they are counted (for the exit code and the summary
 * line) but not kept. */
enum { MAX_DIAGS_PER_CODE = 1000 };

static void count(Compilation *c, DiagCode code, Severity sev)
{
    if (sev == SEV_ERROR) {
        c->nerrors++;
        c->nblocking += diag_table[code].blocks;
    } else if (sev == SEV_WARNING) {
        c->nwarnings++;
    }
}

bool diag_blocked(const Compilation *c)
{
    return c->nblocking > 0;
}

/* ---- cascades --------------------------------------------------------- */

/* Lexing, parsing and loading diagnostics (S01xx-S03xx) are root causes;
 * any other diagnostic inside a declaration a syntax error broke is a
 * follow-on of it, and so is every undefined name once an import failed
 * (the name may be declared in the file that could not be read). */
static bool diag_silenced(Compilation *c, DiagCode code, Loc loc)
{
    /* an incomplete program: undefined names and findings (which judge a
     * portfolio missing a file) wait until the import is fixed */
    if (c->failed_import && (code == D_UNDEFINED || !diag_table[code].blocks)) {
        c->silenced++;
        return true;
    }

    const char *k = diag_table[code].code;
    if (!loc.file || c->broken_decls.len == 0 || strncmp(k, "S01", 3) == 0 ||
        strncmp(k, "S02", 3) == 0 || strncmp(k, "S03", 3) == 0)
        return false;
    for (uint32_t i = 0; i < c->broken_decls.len; i++) {
        const BrokenDecl *b = c->broken_decls.items[i];
        if (b->file == loc.file && loc.start >= b->start && loc.start < b->end)
            return true;
    }
    return false;
}

bool diag_undefined_silenced(Compilation *c, Name name)
{
    if (c->failed_import) {
        c->silenced++;
        return true;
    }
    return diag_name_poisoned(c, name);
}

bool diag_name_poisoned(const Compilation *c, Name name)
{
    for (uint32_t i = 0; i < c->broken_decls.len; i++) {
        const BrokenDecl *b = c->broken_decls.items[i];
        if (b->name && name && strcmp(b->name, name) == 0)
            return true;
    }
    return false;
}

/* The note on a failed import saying how many undefined names it hid;
 * added once, when the diagnostics are printed. */
static void note_silenced(Compilation *c)
{
    if (!c->failed_import || !c->silenced || c->failed_import == &c->diag_sink)
        return;
    for (DiagNote *n = c->failed_import->notes; n; n = n->next)
        if (strstr(n->msg, "not reported"))
            return;
    diag_note(c, c->failed_import, c->failed_import->loc,
              "%u follow-on diagnostic%s (undefined names, findings) not "
              "reported: they may be answered by the file this import names", c->silenced,
              c->silenced == 1 ? "" : "s");
}

/* ---- lint levels ---------------------------------------------------------- */

typedef struct LintSpan {
    Loc span;
    DiagCode code;
} LintSpan;

int diag_find_check(const char *s, size_t len)
{
    for (int k = 0; k < D_CODE_COUNT; k++) {
        const DiagInfo *di = &diag_table[k];
        if ((strlen(di->name) == len && memcmp(di->name, s, len) == 0) ||
            (strlen(di->code) == len && strncasecmp(di->code, s, len) == 0))
            return k;
    }
    return -1;
}

bool diag_lintable(DiagCode code)
{
    return diag_table[code].severity != SEV_ERROR;
}

void diag_set_file_lint(Compilation *c, DiagCode code, LintLevel level)
{
    c->lint_file[code] = (uint8_t)level;
}

void diag_allow_within(Compilation *c, Loc span, DiagCode code)
{
    LintSpan *ls = ARENA_NEW(&c->arena, LintSpan);
    ls->span = span;
    ls->code = code;
    ptrvec_push(&c->arena, &c->lint_spans, ls);
}

void diag_lint_from_options(Compilation *c)
{
    for (unsigned i = 0; i < c->opts.nlint; i++) {
        const strat_lint_setting *st = &c->opts.lint[i];
        int k = st->check ? diag_find_check(st->check, strlen(st->check)) : -1;
        if (k < 0 || !diag_lintable((DiagCode)k)) {
            diag_at(c, D_LINT_SETTING, (Loc){0, 0, 0},
                    k < 0 ? "no check is named `%s`"
                          : "`%s` is an error, and errors cannot be allowed, warned or denied",
                    st->check ? st->check : "");
            continue;
        }
        c->lint_cli[k] = (uint8_t)st->level;
    }
}

/* The severity a diagnostic of `code` gets under the lint levels, or -1 when
 * it is allowed (dropped).  An error stays an error whatever is set. */
static int lint_severity(Compilation *c, DiagCode code, Severity sev, Loc loc)
{
    if (sev == SEV_ERROR || !diag_lintable(code))
        return (int)sev;
    LintLevel lv = c->lint_cli[code] ? (LintLevel)c->lint_cli[code]
                                     : (LintLevel)c->lint_file[code];
    if (lv == LINT_ALLOW)
        return -1;
    if (lv == LINT_DENY)
        return SEV_ERROR;
    if (lv == LINT_DEFAULT && loc.file) {
        /* an entity's own `allow`, under the command line's warn/deny */
        for (uint32_t i = 0; i < c->lint_spans.len; i++) {
            const LintSpan *ls = c->lint_spans.items[i];
            if (ls->code == code && ls->span.file == loc.file &&
                loc.start >= ls->span.start && loc.start < ls->span.end)
                return -1;
        }
    }
    return (int)sev;
}

/* Counts a diagnostic located in a CSV file, per file and code: the text
 * output prints a few of them and one line for the rest. */
static void count_in_csv(Compilation *c, DiagCode code, Loc loc)
{
    if (!loc.file)
        return;
    Source *s = source_get(c, loc.file);
    if (!s || !s->is_csv)
        return;
    while (c->csv_code_counts.len < loc.file)
        ptrvec_push(&c->arena, &c->csv_code_counts, NULL);
    uint32_t *counts = c->csv_code_counts.items[loc.file - 1];
    if (!counts) {
        counts = ARENA_ARRAY(&c->arena, uint32_t, D_CODE_COUNT);
        c->csv_code_counts.items[loc.file - 1] = counts;
    }
    counts[code]++;
}

static Diag *diag_vnew(Compilation *c, DiagCode code, Severity sev, Loc loc,
                       const char *fmt, va_list ap)
{
    if (diag_silenced(c, code, loc))
        return &c->diag_sink;
    int leveled = lint_severity(c, code, sev, loc);
    if (leveled < 0) {
        c->nallowed++;
        return &c->diag_sink;
    }
    sev = (Severity)leveled;
    count_in_csv(c, code, loc);
    if (c->code_counts[code]++ >= MAX_DIAGS_PER_CODE) {
        count(c, code, sev);
        return &c->diag_sink;
    }
    Diag *d = ARENA_NEW(&c->arena, Diag);
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0)
        n = 0;
    char *msg = arena_alloc(&c->arena, (size_t)n + 1);
    if ((size_t)n < sizeof small)
        memcpy(msg, small, (size_t)n + 1);
    else
        vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    d->code = code;
    d->severity = sev;
    d->loc = loc;
    d->msg = msg;
    d->seq = c->diags.len;
    ptrvec_push(&c->arena, &c->diags, d);
    count(c, code, sev);
    return d;
}

Diag *diag_at(Compilation *c, DiagCode code, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = diag_vnew(c, code, diag_table[code].severity, loc, fmt, ap);
    va_end(ap);
    return d;
}

Diag *diag_sev(Compilation *c, DiagCode code, Severity sev, Loc loc,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = diag_vnew(c, code, sev, loc, fmt, ap);
    va_end(ap);
    return d;
}

void diag_note(Compilation *c, Diag *d, Loc loc, const char *fmt, ...)
{
    if (d == &c->diag_sink)
        return;
    DiagNote *n = ARENA_NEW(&c->arena, DiagNote);
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    n->loc = loc;
    n->msg = arena_strndup(&c->arena, buf, strlen(buf));
    if (d->notes_tail)
        d->notes_tail->next = n;
    else
        d->notes = n;
    d->notes_tail = n;
}

void diag_hint(Compilation *c, Diag *d, const char *fmt, ...)
{
    if (d == &c->diag_sink)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    d->hint = arena_strndup(&c->arena, buf, strlen(buf));
}

void diag_fix(Compilation *c, Diag *d, Loc loc, const char *text, bool machine_applicable)
{
    if (d == &c->diag_sink)
        return;
    DiagFix *f = ARENA_NEW(&c->arena, DiagFix);
    f->loc = loc;
    f->text = arena_strndup(&c->arena, text, strlen(text));
    f->machine_applicable = machine_applicable;
    if (d->fixes_tail)
        d->fixes_tail->next = f;
    else
        d->fixes = f;
    d->fixes_tail = f;
}

/* ---- sorting ---------------------------------------------------------- */

static const char *loc_path(Compilation *c, Loc l)
{
    Source *s = source_get(c, l.file);
    return s ? s->path : "";
}

/* qsort has no context argument in C11, so sort an array of (key, diag)
 * records whose keys are resolved beforehand. */
typedef struct SortRec {
    int stage;           /* 0: lexing, parsing, loading (root causes); 1: later */
    const char *path;
    uint32_t start;
    uint32_t seq;
    Diag *d;
} SortRec;

static int sortrec_cmp(const void *pa, const void *pb)
{
    const SortRec *a = pa, *b = pb;
    if (a->stage != b->stage)
        return a->stage - b->stage;
    int r = strcmp(a->path, b->path);
    if (r)
        return r;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

Diag **diag_sorted(Compilation *c)
{
    uint32_t n = c->diags.len;
    SortRec *recs = ARENA_ARRAY(&c->arena, SortRec, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = c->diags.items[i];
        const char *k = diag_table[d->code].code;
        int stage = !(strncmp(k, "S01", 3) == 0 || strncmp(k, "S02", 3) == 0 ||
                      strncmp(k, "S03", 3) == 0);
        recs[i] = (SortRec){stage, loc_path(c, d->loc), d->loc.start, d->seq, d};
    }
    qsort(recs, n, sizeof *recs, sortrec_cmp);
    Diag **out = ARENA_ARRAY(&c->arena, Diag *, n + 1);
    for (uint32_t i = 0; i < n; i++)
        out[i] = recs[i].d;
    return out;
}

/* ---- text ------------------------------------------------------------- */

typedef struct Colors {
    const char *bold, *reset, *sev[4], *caret;
} Colors;

static void print_location_line(Compilation *c, FILE *out, Loc l,
                                Severity sev, const char *msg,
                                const char *code, const Colors *k)
{
    if (l.file) {
        LineCol lc = source_linecol(c, l.file, l.start);
        fprintf(out, "%s%s:%u:%u:%s ", k->bold, loc_path(c, l), lc.line,
                lc.col, k->reset);
    } else {
        fprintf(out, "%sstrat:%s ", k->bold, k->reset);
    }
    fprintf(out, "%s%s:%s %s%s%s", k->sev[sev], severity_word(sev), k->reset,
            k->bold, msg, k->reset);
    if (code)
        fprintf(out, " [%s]", code);
    fputc('\n', out);
}

/* "S0707/orphan_service" for a check whose level can be set, so the reader
 * sees what to allow; the bare code for an error. */
static const char *shown_code(Compilation *c, DiagCode code)
{
    const DiagInfo *di = diag_info(code);
    if (!diag_lintable(code))
        return di->code;
    return arena_printf(&c->arena, "%s/%s", di->code, di->name);
}

/* The source line with a caret under the start and ~ under the rest of the
 * range (clipped to the line).  Tabs in the line are echoed so the caret
 * lines up whatever the reader's tab width. */
static void print_snippet(Compilation *c, FILE *out, Loc l, const Colors *k)
{
    if (!l.file)
        return;
    uint32_t ls;
    Str line = source_line_text(c, l.file, l.start, &ls);
    LineCol lc = source_linecol(c, l.file, l.start);
    if (line.len > 400)           /* a 1 GB line is not worth echoing */
        return;
    char num[16];
    int w = snprintf(num, sizeof num, "%u", lc.line);
    fprintf(out, " %s | %.*s\n", num, (int)line.len, line.s);
    fprintf(out, " %*s | ", w, "");
    uint32_t start = l.start - ls, end = l.end > l.start ? l.end - ls : start + 1;
    if (end > line.len)
        end = line.len > start ? line.len : start + 1;
    for (uint32_t i = 0; i < start && i < line.len; i++) {
        unsigned char ch = (unsigned char)line.s[i];
        if ((ch & 0xC0) == 0x80)
            continue;
        fputc(ch == '\t' ? '\t' : ' ', out);
    }
    fputs(k->caret, out);
    fputc('^', out);
    for (uint32_t i = start + 1; i < end && i < line.len; i++)
        if (((unsigned char)line.s[i] & 0xC0) != 0x80)
            fputc('~', out);
    fputs(k->reset, out);
    fputc('\n', out);
}

/* ---- fix-its ----------------------------------------------------------- */

static void json_loc_fields(Compilation *c, FILE *out, Loc l);

/* Each fix-it as a help line saying what to write where, rustc-style:
 *    = help: replace with `..` (strat fix applies this)
 *    = help: insert ` }` at 45:45                                      */
static void print_text_fixes(Compilation *c, FILE *out, const Diag *d)
{
    for (const DiagFix *f = d->fixes; f; f = f->next) {
        const char *auto_ = f->machine_applicable ? " (strat fix applies this)" : "";
        LineCol a = source_linecol(c, f->loc.file, f->loc.start);
        const char *nl = strchr(f->text, '\n');
        int shown = nl ? (int)(nl - f->text) : (int)strlen(f->text);
        if (f->loc.end == f->loc.start)
            fprintf(out, "   = help: insert `%.*s`%s at %u:%u%s\n", shown, f->text,
                    nl ? " and a line break" : "", a.line, a.col, auto_);
        else if (!*f->text)
            fprintf(out, "   = help: remove the text at %u:%u%s\n", a.line, a.col, auto_);
        else
            fprintf(out, "   = help: replace with `%.*s`%s\n", shown, f->text, auto_);
    }
}

static const char *fix_applicability(const DiagFix *f)
{
    return f->machine_applicable ? "machine-applicable" : "maybe-incorrect";
}

/* JSON, on a diagnostic that has any: "fixes": [{file, line, column, end_line, end_column, start, end
 * (byte offsets), replacement, applicability}] */
static void json_fixes(Compilation *c, FILE *out, const Diag *d)
{
    if (!d->fixes)
        return;   /* absent rather than empty: older readers see no change */
    fputs(", \"fixes\": [", out);
    for (const DiagFix *f = d->fixes; f; f = f->next) {
        fputs(f == d->fixes ? "{" : ", {", out);
        json_loc_fields(c, out, f->loc);
        fprintf(out, ", \"start\": %u, \"end\": %u, \"replacement\": ", f->loc.start,
                f->loc.end);
        json_string(out, f->text);
        fputs(", \"applicability\": ", out);
        json_string(out, fix_applicability(f));
        fputs("}", out);
    }
    fputs("]", out);
}

/* SARIF artifact locations (§3.4): `"uri": ...` and, for the stdlib,
 * `"uriBaseId"`.  A URI must be a valid RFC 3986 reference, and a
 * relative one must not begin with a slash when combined with a base
 * (SARIF1004), so:
 *   - a file named by a relative path: that path, percent-encoded, a
 *     relative reference (to the directory strat ran in; no uriBaseId);
 *   - a file named by an absolute path: file:///abs/path, percent-encoded,
 *     no uriBaseId (it needs none);
 *   - a stdlib module (<stdlib>/std/itil.strat): std/itil.strat with
 *     uriBaseId STRAT_STDLIB, which a consumer maps to the stdlib in use
 *     (left out of originalUriBaseIds: it differs between machines).
 * Everything but RFC 3986's unreserved characters, the sub-delims, `@`
 * and `/` is percent-encoded, byte by byte (UTF-8 too); `:` as well, so
 * that no first segment of a relative path reads as a scheme. */
static const char *sarif_uri_encode(Compilation *c, const char *prefix, const char *path)
{
    size_t n = strlen(prefix), len = strlen(path);
    char *buf = arena_alloc(&c->arena, n + 3 * len + 1);
    memcpy(buf, prefix, n);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~!$&'()*+,;=@/", *p)) {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = "0123456789ABCDEF"[*p >> 4];
            buf[n++] = "0123456789ABCDEF"[*p & 15];
        }
    }
    buf[n] = '\0';
    return buf;
}

static void sarif_artifact(Compilation *c, FILE *out, Loc l)
{
    static const char stdlib_prefix[] = "<stdlib>/";
    const Source *s = source_get(c, l.file);
    const char *path = s ? s->path : "";
    fputs("{\"uri\": ", out);
    if (s && s->is_stdlib &&
        strncmp(path, stdlib_prefix, sizeof stdlib_prefix - 1) == 0) {
        json_string(out, sarif_uri_encode(c, "", path + sizeof stdlib_prefix - 1));
        fputs(", \"uriBaseId\": \"STRAT_STDLIB\"}", out);
        return;
    }
    json_string(out, sarif_uri_encode(c, path[0] == '/' ? "file://" : "", path));
    fputs("}", out);
}

/* SARIF 2.1.0 §3.55 fix: a description and one artifactChange per fix,
 * its replacement a deletedRegion (empty for an insertion) and the
 * insertedContent.  Only machine-applicable fixes: SARIF consumers apply
 * fixes without asking. */
static void sarif_fixes(Compilation *c, FILE *out, const Diag *d)
{
    bool any = false;
    for (const DiagFix *f = d->fixes; f; f = f->next) {
        if (!f->machine_applicable || !f->loc.file)
            continue;
        fputs(any ? ", " : ", \"fixes\": [", out);
        any = true;
        LineCol a = source_linecol(c, f->loc.file, f->loc.start);
        LineCol b = source_linecol(c, f->loc.file, f->loc.end);
        fputs("{\"description\": {\"text\": ", out);
        json_string(out, d->hint ? d->hint : d->msg);
        fputs("}, \"artifactChanges\": [{\"artifactLocation\": ", out);
        sarif_artifact(c, out, f->loc);
        fprintf(out, ", \"replacements\": [{\"deletedRegion\": {\"startLine\": %u, "
                     "\"startColumn\": %u, \"endLine\": %u, \"endColumn\": %u}, "
                     "\"insertedContent\": {\"text\": ",
                a.line, a.col, b.line, b.col);
        json_string(out, f->text);
        fputs("}}]}]}", out);
    }
    if (any)
        fputs("]", out);
}

size_t diag_fixes(const Compilation *c, strat_fix *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < c->diags.len; i++) {
        const Diag *d = c->diags.items[i];
        for (const DiagFix *f = d->fixes; f; f = f->next) {
            const Source *src = f->loc.file && f->loc.file <= c->sources.len
                                    ? c->sources.items[f->loc.file - 1] : NULL;
            if (!src || src->is_stdlib || src->is_csv)
                continue;
            if (n < max)
                out[n] = (strat_fix){src->path, f->loc.start, f->loc.end, f->text,
                                     f->machine_applicable, diag_table[d->code].code};
            n++;
        }
    }
    return n;
}

static void print_text(Compilation *c, FILE *out, Diag **ds, uint32_t n,
                       bool color)
{
    static const Colors plain = {"", "", {"", "", "", ""}, ""};
    static const Colors ansi = {"\033[1m", "\033[0m",
                                {"\033[1;31m", "\033[1;35m", "\033[1;36m",
                                 "\033[1;36m"},
                                "\033[1;32m"};
    const Colors *k = color ? &ansi : &plain;
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = ds[i];
        print_location_line(c, out, d->loc, d->severity, d->msg,
                            shown_code(c, d->code), k);
        print_snippet(c, out, d->loc, k);
        if (d->hint)
            fprintf(out, "   = help: %s\n", d->hint);
        print_text_fixes(c, out, d);
        for (DiagNote *nt = d->notes; nt; nt = nt->next) {
            print_location_line(c, out, nt->loc, SEV_NOTE, nt->msg, NULL, k);
            if (nt->loc.file && nt->loc.file != d->loc.file)
                print_snippet(c, out, nt->loc, k);
        }
    }
}

/* ---- what the per-code cap dropped -------------------------------------- */

/* Diagnostics of one code found past MAX_DIAGS_PER_CODE: counted, not kept. */
static unsigned omitted_count(const Compilation *c, int code)
{
    return c->code_counts[code] > MAX_DIAGS_PER_CODE
               ? c->code_counts[code] - MAX_DIAGS_PER_CODE : 0;
}

static const char *omitted_message(Compilation *c, int code, unsigned omitted)
{
    return arena_printf(&c->arena, "%u more [%s] diagnostics (%s) not kept (the limit is "
                        "%d of one code)", omitted, diag_table[code].code,
                        diag_table[code].title, (int)MAX_DIAGS_PER_CODE);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_loc_fields(Compilation *c, FILE *out, Loc l)
{
    LineCol a = source_linecol(c, l.file, l.start);
    LineCol b = source_linecol(c, l.file, l.end > l.start ? l.end : l.start);
    fputs("\"file\": ", out);
    json_string(out, loc_path(c, l));
    fprintf(out, ", \"line\": %u, \"column\": %u, \"end_line\": %u, "
                 "\"end_column\": %u",
            a.line, a.col, b.line, b.col);
}

/* {"format_version": ..., "diagnostics": [...]}: an object, so that the
 * version has a place (a bare array, before 1.0, had none). */
static void print_json(Compilation *c, FILE *out, Diag **ds, uint32_t n)
{
    fputs("{\n  \"format_version\": \"" STRAT_JSON_FORMAT_VERSION "\",\n"
          "  \"diagnostics\": [", out);
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = ds[i];
        fputs(i ? ",\n    {" : "\n    {", out);
        json_loc_fields(c, out, d->loc);
        fputs(", \"severity\": ", out);
        json_string(out, severity_word(d->severity));
        fputs(", \"code\": ", out);
        json_string(out, diag_info(d->code)->code);
        fputs(", \"check\": ", out);
        json_string(out, diag_info(d->code)->name);
        fputs(", \"message\": ", out);
        json_string(out, d->msg);
        if (d->hint) {
            fputs(", \"hint\": ", out);
            json_string(out, d->hint);
        }
        fputs(", \"notes\": [", out);
        for (DiagNote *nt = d->notes; nt; nt = nt->next) {
            fputs(nt == d->notes ? "{" : ", {", out);
            json_loc_fields(c, out, nt->loc);
            fputs(", \"message\": ", out);
            json_string(out, nt->msg);
            fputs("}", out);
        }
        fputs("]", out);
        json_fixes(c, out, d);
        fputs("}", out);
    }
    /* after the kept ones, one note per code that went past the cap, with
     * the count in a field of its own: the array stays what it was for a
     * reader that knows nothing of it */
    for (int k = 0; k < D_CODE_COUNT; k++) {
        unsigned omitted = omitted_count(c, k);
        if (!omitted)
            continue;
        fputs(",\n    {", out);
        json_loc_fields(c, out, (Loc){0, 0, 0});
        fputs(", \"severity\": \"note\", \"code\": ", out);
        json_string(out, diag_info(D_TOO_MANY)->code);
        fputs(", \"message\": ", out);
        json_string(out, omitted_message(c, k, omitted));
        fputs(", \"notes\": [], \"omitted\": {\"code\": ", out);
        json_string(out, diag_table[k].code);
        fprintf(out, ", \"count\": %u}}", omitted);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ---- SARIF 2.1.0 ------------------------------------------------------ */

static const char *sarif_level(Severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* One SARIF location; related locations carry an id and a message. */
static void sarif_location(Compilation *c, FILE *out, Loc l, int id,
                           const char *msg)
{
    LineCol a = source_linecol(c, l.file, l.start);
    LineCol b = source_linecol(c, l.file, l.end > l.start ? l.end : l.start);
    if (b.line == a.line && b.col <= a.col)
        b.col = a.col + 1;
    fputs("{\"physicalLocation\": {\"artifactLocation\": ", out);
    sarif_artifact(c, out, l);
    fprintf(out, ", \"region\": {\"startLine\": %u, \"startColumn\": %u, "
                 "\"endLine\": %u, \"endColumn\": %u}}",
            a.line, a.col, b.line, b.col);
    if (msg) {
        fprintf(out, ", \"id\": %d, \"message\": {\"text\": ", id);
        json_string(out, msg);
        fputs("}", out);
    }
    fputs("}", out);
}

static void print_sarif(Compilation *c, FILE *out, Diag **ds, uint32_t n)
{
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
          "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
          "    \"tool\": {\"driver\": {\"name\": \"strat\", \"version\": \""
          STRAT_VERSION "\", \"informationUri\": "
          "\"https://example.invalid/strat/docs/diagnostics.md\",\n"
          "      \"rules\": [",
          out);
    for (int i = 0; i < D_CODE_COUNT; i++) {
        const DiagInfo *di = &diag_table[i];
        fputs(i ? ",\n        {\"id\": " : "\n        {\"id\": ", out);
        json_string(out, di->code);
        fputs(", \"name\": ", out);
        json_string(out, di->name);
        fputs(", \"shortDescription\": {\"text\": ", out);
        json_string(out, di->title);
        fputs("}, \"fullDescription\": {\"text\": ", out);
        json_string(out, di->help);
        fputs("}, \"help\": {\"text\": ", out);
        json_string(out, di->help);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                sarif_level(di->severity));
    }
    fputs("]}},\n    \"results\": [", out);
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = ds[i];
        if (!d->loc.file)
            continue;   /* SARIF results need a place; file-less ones are
                           usage problems already on stderr */
        fputs(first ? "\n      {" : ",\n      {", out);
        first = false;
        fputs("\"ruleId\": ", out);
        json_string(out, diag_info(d->code)->code);
        fprintf(out, ", \"ruleIndex\": %d, \"level\": \"%s\", "
                     "\"message\": {\"text\": ",
                (int)d->code, sarif_level(d->severity));
        if (d->hint) {
            const char *t = arena_printf(&c->arena, "%s (%s)", d->msg, d->hint);
            json_string(out, t);
        } else {
            json_string(out, d->msg);
        }
        fputs("}, \"locations\": [", out);
        sarif_location(c, out, d->loc, 0, NULL);
        fputs("]", out);
        if (d->notes) {
            fputs(", \"relatedLocations\": [", out);
            int id = 0;
            for (DiagNote *nt = d->notes; nt; nt = nt->next) {
                if (!nt->loc.file)
                    continue;
                if (id)
                    fputs(", ", out);
                sarif_location(c, out, nt->loc, id, nt->msg);
                id++;
            }
            fputs("]", out);
        }
        sarif_fixes(c, out, d);
        fputs("}", out);
    }
    fputs(first ? "]" : "\n    ]", out);
    /* the per-code cap: a tool execution notification for each code that
     * went past it (SARIF's place for what a tool says about its own run),
     * naming the rule whose results were dropped, the count in its
     * property bag; only when there is one, so a run within the caps
     * prints what it always did */
    bool any = false;
    for (int k = 0; k < D_CODE_COUNT; k++) {
        unsigned omitted = omitted_count(c, k);
        if (!omitted)
            continue;
        fputs(any ? ",\n        {" : ",\n    \"invocations\": [{\"executionSuccessful\": true, "
                                    "\"toolExecutionNotifications\": [\n        {", out);
        any = true;
        fputs("\"level\": \"note\", \"message\": {\"text\": ", out);
        json_string(out, omitted_message(c, k, omitted));
        fputs("}, \"associatedRule\": {\"id\": ", out);
        json_string(out, diag_table[k].code);
        fprintf(out, ", \"index\": %d}, \"properties\": {\"code\": ", k);
        json_string(out, diag_info(D_TOO_MANY)->code);
        fprintf(out, ", \"omittedCount\": %u}}", omitted);
    }
    if (any)
        fputs("\n    ]}]", out);
    fputs("\n  }]\n}\n", out);
}

/* ---- GitHub workflow commands ----------------------------------------- */

static void github_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': fputs(property ? "%3A" : ":", out); break;
        case ',': fputs(property ? "%2C" : ",", out); break;
        default: fputc(*s, out);
        }
    }
}

static void print_github(Compilation *c, FILE *out, Diag **ds, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = ds[i];
        const char *cmd = d->severity == SEV_ERROR     ? "error"
                          : d->severity == SEV_WARNING ? "warning"
                                                       : "notice";
        fprintf(out, "::%s ", cmd);
        if (d->loc.file) {
            LineCol a = source_linecol(c, d->loc.file, d->loc.start);
            fputs("file=", out);
            github_escape(out, loc_path(c, d->loc), true);
            fprintf(out, ",line=%u,col=%u,", a.line, a.col);
        }
        fputs("title=", out);
        github_escape(out, diag_info(d->code)->code, true);
        fputs("::", out);
        github_escape(out, d->msg, false);
        if (d->hint) {
            fputs(" (", out);
            github_escape(out, d->hint, false);
            fputs(")", out);
        }
        fputc('\n', out);
    }
}

/* ---- summaries of what one check says many times in one CSV file ---------- */

/* A code with more than SUMMARY_OVER diagnostics in one CSV file shows
 * SUMMARY_KEEP of them and one line for the rest (never "1 more"). */
enum { SUMMARY_KEEP = 5, SUMMARY_OVER = 10 };

static uint32_t csv_count(const Compilation *c, uint32_t file, int code)
{
    if (!file || file > c->csv_code_counts.len)
        return 0;
    const uint32_t *counts = c->csv_code_counts.items[file - 1];
    return counts ? counts[code] : 0;
}

/* Keeps, of the sorted ds, the first SUMMARY_KEEP of each (CSV file, code)
 * that has more than that; returns how many remain (compacted in place). */
static uint32_t summarise_csv(Compilation *c, Diag **ds, uint32_t n)
{
    if (!c->csv_code_counts.len)
        return n;
    uint32_t k = 0, run_file = 0, *shown = NULL;
    for (uint32_t i = 0; i < n; i++) {
        Diag *d = ds[i];
        if (csv_count(c, d->loc.file, d->code) > SUMMARY_OVER) {
            if (d->loc.file != run_file || !shown) {
                /* sorted by file: a new file starts its own tally */
                shown = ARENA_ARRAY(&c->arena, uint32_t, D_CODE_COUNT);
                run_file = d->loc.file;
            }
            if (shown[d->code]++ >= SUMMARY_KEEP)
                continue;
        }
        ds[k++] = d;
    }
    return k;
}

/* One line per (CSV file, code) summarised; true for each code whose every
 * diagnostic lies in a summarised file (its "not kept" line would repeat). */
static void print_csv_summaries(Compilation *c, FILE *out, bool *covered)
{
    uint32_t in_summaries[D_CODE_COUNT] = {0};
    for (uint32_t f = 1; f <= c->csv_code_counts.len; f++)
        for (int k = 0; k < D_CODE_COUNT; k++) {
            uint32_t total = csv_count(c, f, k);
            if (total <= SUMMARY_OVER)
                continue;
            in_summaries[k] += total;
            fprintf(out, "strat: note: ... and %u more [%s] in %s (%s) [%s]\n",
                    total - SUMMARY_KEEP, shown_code(c, (DiagCode)k),
                    source_get(c, f)->path, diag_table[k].title,
                    diag_info(D_TOO_MANY)->code);
        }
    for (int k = 0; k < D_CODE_COUNT; k++)
        covered[k] = in_summaries[k] && in_summaries[k] == c->code_counts[k];
}

void diag_print(Compilation *c, FILE *out, strat_diag_format fmt, bool color)
{
    jmp_buf *saved = c->arena.oom_jump;
    jmp_buf here;
    c->arena.oom_jump = &here;
    if (setjmp(here)) {
        c->arena.oom_jump = saved;
        diag_log(c, "error", "out of memory while printing diagnostics");
        return;
    }
    note_silenced(c);
    uint32_t all = c->diags.len;
    Diag **ds = diag_sorted(c);
    uint32_t n = all;
    Diag **capped_src = ds;
    if (fmt == STRAT_DIAG_TEXT) {
        /* text is for a person: a check that fires all over one CSV file
         * shows a few and a count (JSON and SARIF keep every one kept) */
        capped_src = ARENA_ARRAY(&c->arena, Diag *, all + 1);
        memcpy(capped_src, ds, sizeof(Diag *) * all);
        n = summarise_csv(c, capped_src, all);
    }
    uint32_t limit = c->opts.max_errors ? c->opts.max_errors : 500;
    uint32_t shown = n < limit ? n : limit;
    Diag **capped = capped_src;   /* what the capped formats (text, github) show */
    if (shown < n) {
        /* over the limit, errors are shown before warnings are: a flood of
         * warnings must not hide the error that fails the run */
        Diag **keep = ARENA_ARRAY(&c->arena, Diag *, shown + 1);
        bool *taken = ARENA_ARRAY(&c->arena, bool, n + 1);
        uint32_t k = 0;
        for (int pass = 0; pass < 2 && k < shown; pass++)
            for (uint32_t i = 0; i < n && k < shown; i++)
                if (!taken[i] && (pass == 1 || capped_src[i]->severity == SEV_ERROR))
                    taken[i] = true, k++;
        k = 0;
        for (uint32_t i = 0; i < n; i++)
            if (taken[i])
                keep[k++] = capped_src[i];
        capped = keep;
    }
    switch (fmt) {
    case STRAT_DIAG_TEXT:
        print_text(c, out, capped, shown, color);
        if (shown < n)
            fprintf(out, "strat: note: %u more diagnostics not shown "
                         "(--max-errors) [%s]\n",
                    n - shown, diag_info(D_TOO_MANY)->code);
        bool covered[D_CODE_COUNT];
        print_csv_summaries(c, out, covered);
        for (int k = 0; k < D_CODE_COUNT; k++)
            if (c->code_counts[k] > MAX_DIAGS_PER_CODE && !covered[k])
                fprintf(out, "strat: note: %u more [%s] diagnostics (%s) not shown [%s]\n",
                        c->code_counts[k] - MAX_DIAGS_PER_CODE, diag_table[k].code,
                        diag_table[k].title, diag_info(D_TOO_MANY)->code);
        break;
    case STRAT_DIAG_JSON: print_json(c, out, ds, all); break;
    case STRAT_DIAG_SARIF: print_sarif(c, out, ds, all); break;
    case STRAT_DIAG_GITHUB: print_github(c, out, capped, shown); break;
    }
    c->arena.oom_jump = saved;
}

double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void verbose_time(Compilation *c, const char *stage, double since)
{
    if (c->opts.verbose)
        diag_log(c, "time", "%-8s %9.1f ms", stage, now_ms() - since);
}

void diag_log(Compilation *c, const char *kind, const char *fmt, ...)
{
    if (!c->log)
        return;
    /* a fixed buffer: a log line must not allocate (it may be written
     * after memory ran out) */
    va_list ap;
    va_start(ap, fmt);
    diag_vlog(c, kind, fmt, ap);
    va_end(ap);
}

void diag_vlog(Compilation *c, const char *kind, const char *fmt, va_list ap)
{
    if (!c->log)
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    c->log(c->log_ctx, kind, line);
}
