/*
 * emit.c — decisions as text: an aligned table, JSON, CSV and Markdown.
 *
 * Takes the Results of the decision pipeline and gives bytes that are the
 * same on every run for the same inputs: rows in rank order (ties in
 * declaration order), numbers in their shortest exact form, and a SHA-256 of every
 * input file (digest.c) so an audit can tie a decision record to the files
 * that produced it.
 */
#include <math.h>
#include <string.h>

#include "decide.h"
#include "digest.h"
#include "emit.h"
#include "emit_html.h"
#include "json.h"
#include "markdown.h"
#include "source.h"
#include "unparse.h"

static const char *arm_where(Compilation *c, const Arm *a)
{
    if (!a)
        return "";
    Source *s = source_get(c, a->loc.file);
    LineCol lc = source_linecol(c, a->loc.file, a->loc.start);
    return arena_printf(&c->arena, "%s:%u", s ? s->path : "?", lc.line);
}

static const char *score_text(Compilation *c, double v)
{
    char buf[40];
    if (!isfinite(v))
        return isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
    /* four decimals are plenty for people; JSON keeps every digit */
    snprintf(buf, sizeof buf, "%.4f", v);
    return arena_strndup(&c->arena, buf, strlen(buf));
}

typedef struct Row {
    const char *cells[64];
} Row;

enum { MAX_SCORE_COLUMNS = 48 };

/* Decide tables shown as columns: decision, arm and because of each (the
 * first at 2..4, as before tables had names); at most MAX_TABLE_COLUMNS. */
enum { MAX_TABLE_COLUMNS = 4 };

static uint32_t shown_tables(const Results *res)
{
    return res->ntables < MAX_TABLE_COLUMNS ? res->ntables : MAX_TABLE_COLUMNS;
}

/* The first score column (after rank, service and the tables' columns). */
static uint32_t first_score_column(const Results *res)
{
    return 2 + 3 * shown_tables(res);
}

/* The columns every format shares: rank, service, then decision, arm,
 * because of each decide table, scores, approvers. */
static uint32_t row_cells(Compilation *c, const Results *res, uint32_t row,
                          const char **cells, bool exact, const bool *shown)
{
    Program *p = c->program;
    KindTable *svc = kind_table(c, EK_SERVICE);
    uint32_t n = 0;
    cells[n++] = arena_printf(&c->arena, "%u", res->rank[row]);
    cells[n++] = svc->names[row];
    for (uint32_t t = 0; t < shown_tables(res) && t < p->tables.len; t++) {
        int d = (t ? res->decisions[t] : res->decision)[row];
        const char *because = result_because(p, res, t, row);
        cells[n++] = res->failed[row] ? "error" : outcome_name(p, d);
        cells[n++] = arm_where(c, table_arm_at(program_table(p, t),
                                               (t ? res->arms[t] : res->arm)[row]));
        cells[n++] = because ? because : "";
    }
    for (uint32_t s = 0; s < res->nscores && s < MAX_SCORE_COLUMNS; s++) {
        if (shown && !shown[s])
            continue;
        double v = res->scores[(size_t)s * res->nservices + row];
        char buf[40];
        cells[n++] = exact ? arena_strndup(&c->arena, format_double(buf, sizeof buf, v),
                                           strlen(format_double(buf, sizeof buf, v)))
                           : score_text(c, v);
    }
    cells[n++] = res->approvers[row] ? res->approvers[row] : "";
    return n;
}

static uint32_t header_cells(Compilation *c, const Results *res, const char **cells,
                             const bool *shown)
{
    uint32_t n = 0;
    Program *p = c->program;
    cells[n++] = "rank";
    cells[n++] = "service";
    for (uint32_t t = 0; t < shown_tables(res) && t < p->tables.len; t++) {
        cells[n++] = table_heading(c, program_table(p, t), "decision");
        cells[n++] = table_heading(c, program_table(p, t), "arm");
        cells[n++] = table_heading(c, program_table(p, t), "because");
    }
    for (uint32_t s = 0; s < res->nscores && s < MAX_SCORE_COLUMNS; s++)
        if (!shown || shown[s])
            cells[n++] = ((Score *)c->program->scores.items[s])->name;
    cells[n++] = "approver";
    return n;
}

/* Width in characters of a UTF-8 string (a `because` may hold é). */
static size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Services per outcome id of table t, and those without one. */
static void summary_counts(const Results *res, uint32_t t, unsigned *counts, unsigned *errors)
{
    const int8_t *decision = t ? res->decisions[t] : res->decision;
    memset(counts, 0, sizeof(unsigned) * MAX_OUTCOMES);
    *errors = 0;
    for (uint32_t r = 0; r < res->nservices; r++) {
        if (res->failed[r] || decision[r] < 0)
            (*errors)++;
        else
            counts[decision[r]]++;
    }
}

/* The scores the decide table's arms and `rank by` call directly: the
 * table shows these (a terminal is narrow); the other formats show all. */
static const bool *decide_scores(Compilation *c, const Results *res, unsigned *hidden)
{
    bool *shown = ARENA_ARRAY(&c->arena, bool, res->nscores + 1);
    *hidden = 0;
    PtrVec calls = {0};
    for (uint32_t t = 0; t < c->program->tables.len; t++) {
        Decl *d = program_table(c->program, t)->decl;
        for (Arm *a = d->arms; a; a = a->next)
            score_calls(c, a->cond, &calls);
        score_calls(c, d->rank, &calls);
    }
    unsigned n = 0;
    for (uint32_t i = 0; i < calls.len; i++) {
        Score *sc = call_score(c->program, calls.items[i]);
        if (!shown[sc->index]) {
            shown[sc->index] = true;
            n++;
        }
    }
    /* and any score that is not a number somewhere: it is why a row says
     * `error` */
    for (uint32_t r = 0; n && r < res->nservices; r++) {
        if (!res->failed[r])
            continue;
        for (uint32_t k = 0; k < res->nscores; k++)
            if (!shown[k] && !isfinite(res->scores[(size_t)k * res->nservices + r])) {
                shown[k] = true;
                n++;
            }
    }
    uint32_t nwritten = res->nscores;
    if (res->score_written) {
        nwritten = n = 0;
        for (uint32_t k = 0; k < res->nscores; k++) {
            nwritten += res->score_written[k];
            shown[k] &= res->score_written[k];
            n += shown[k];
        }
        if (!n)   /* none of them written: the table shows what is */
            return res->score_written;
    }
    *hidden = n ? nwritten - n : 0;
    return n ? shown : NULL;
}

/* In the table, a long `because` is cut at a word (the other formats
 * keep it whole). */
static const char *table_text(Compilation *c, const char *s, size_t max)
{
    if (utf8_width(s) <= max)
        return s;
    size_t bytes = 0, chars = 0, cut = 0;
    while (s[bytes] && chars < max - 1) {
        if (s[bytes] == ' ')
            cut = bytes;
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    if (cut == 0)
        cut = bytes;
    return arena_printf(&c->arena, "%.*s\u2026", (int)cut, s);
}

static void emit_table(Compilation *c, const Results *res, FILE *out)
{
    const char *head[64];
    unsigned hidden;
    const bool *shown = decide_scores(c, res, &hidden);
    uint32_t ncol = header_cells(c, res, head, shown);
    size_t width[64];
    for (uint32_t i = 0; i < ncol; i++)
        width[i] = utf8_width(head[i]);
    const char *cells[64];
    /* widths over all rows: two passes, the cells are cheap to rebuild */
    uint32_t first_score = first_score_column(res);
    for (uint32_t i = 0; i < res->nservices; i++) {
        row_cells(c, res, res->order[i], cells, false, shown);
        for (uint32_t k = 4; k < first_score; k += 3)
            cells[k] = table_text(c, cells[k], 40);
        for (uint32_t k = 0; k < ncol; k++) {
            size_t w = utf8_width(cells[k]);
            if (w > width[k])
                width[k] = w;
        }
    }
    const Strategy *st = &c->program->strategy;
    fprintf(out, "# %s\n", st->title ? st->title : "strategy");
    if (c->opts.scenario)
        fprintf(out, "# scenario: %s\n", c->opts.scenario);
    fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
    for (uint32_t k = 0; k < ncol; k++)
        fprintf(out, "%s%s%*s", k ? "  " : "", head[k],
                k + 1 < ncol ? (int)(width[k] - utf8_width(head[k])) : 0, "");
    fputc('\n', out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        row_cells(c, res, res->order[i], cells, false, shown);
        for (uint32_t k = 4; k < first_score; k += 3)
            cells[k] = table_text(c, cells[k], 40);
        for (uint32_t k = 0; k < ncol; k++) {
            bool numeric = k == 0 || (k >= first_score && k + 1 < ncol);
            int pad = (int)(width[k] - utf8_width(cells[k]));
            if (numeric)
                fprintf(out, "%s%*s%s", k ? "  " : "", pad, "", cells[k]);
            else
                fprintf(out, "%s%s%*s", k ? "  " : "", cells[k], k + 1 < ncol ? pad : 0, "");
        }
        fputc('\n', out);
    }
    if (hidden)
        fprintf(out, "# %u more score%s in --format json, csv or md\n", hidden,
                hidden == 1 ? "" : "s");
    Program *p = c->program;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        if (table->name)
            fprintf(out, "# summary %s:", table->name);
        else
            fputs("# summary:", out);
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, " %s %u%s", outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]], k + 1 < table->noutcomes ? "," : "");
        if (errors)
            fprintf(out, ", undecided %u", errors);
        fputc('\n', out);
    }
}

static void csv_cell(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void emit_csv(Compilation *c, const Results *res, FILE *out)
{
    const char *cells[64];
    uint32_t n = header_cells(c, res, cells, res->score_written);
    for (uint32_t k = 0; k < n; k++) {
        if (k)
            fputc(',', out);
        csv_cell(out, cells[k]);
    }
    fputs("\r\n", out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        n = row_cells(c, res, res->order[i], cells, true, res->score_written);
        for (uint32_t k = 0; k < n; k++) {
            if (k)
                fputc(',', out);
            csv_cell(out, cells[k]);
        }
        fputs("\r\n", out);
    }
}

static void emit_md(Compilation *c, const Results *res, FILE *out)
{
    const Strategy *st = &c->program->strategy;
    fprintf(out, "## Decisions: ");
    md_text(out, st->title ? st->title : "strategy");
    fputs("\n\n", out);
    Program *p = c->program;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        fprintf(out, "| %s | services |\n|---|---:|\n", table_heading(c, table, "decision"));
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, "| %s | %u |\n", outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]]);
        if (errors)
            fprintf(out, "| undecided | %u |\n", errors);
        fputc('\n', out);
    }
    uint32_t first_score = first_score_column(res);
    const char *cells[64];
    uint32_t n = header_cells(c, res, cells, res->score_written);
    fputs("|", out);
    for (uint32_t k = 0; k < n; k++) {
        fputc(' ', out);
        md_text(out, cells[k]);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (uint32_t k = 0; k < n; k++)
        fputs(k == 0 || (k >= first_score && k + 1 < n) ? "---:|" : "---|", out);
    fputc('\n', out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        n = row_cells(c, res, res->order[i], cells, false, res->score_written);
        fputs("|", out);
        for (uint32_t k = 0; k < n; k++) {
            fputc(' ', out);
            md_text(out, cells[k]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    fprintf(out, "\n<sub>inputs sha256 `%s`", inputs_sha256(c));
    if (c->opts.scenario) {
        fputs(", scenario ", out);
        md_text(out, c->opts.scenario);
    }
    fputs("</sub>\n", out);
}

/* "decision": ..., "arm": {...}, "because": ... of row r in table t. */
static void json_table_fields(Compilation *c, const Results *res, uint32_t t, uint32_t r,
                              FILE *out)
{
    Program *p = c->program;
    int d = t < res->ntables ? (t ? res->decisions[t] : res->decision)[r] : -1;
    const Arm *a = t < p->tables.len
                       ? table_arm_at(program_table(p, t), (t ? res->arms[t] : res->arm)[r])
                       : NULL;
    const char *because = t < p->tables.len ? result_because(p, res, t, r) : NULL;
    fputs("\"decision\": ", out);
    if (d >= 0 && !res->failed[r])
        json_string(out, outcome_name(p, d));
    else
        fputs("null", out);
    fputs(", \"arm\": ", out);
    if (a) {
        Source *s = source_get(c, a->loc.file);
        LineCol lc = source_linecol(c, a->loc.file, a->loc.start);
        fputs("{\"file\": ", out);
        json_string(out, s ? s->path : "");
        fprintf(out, ", \"line\": %u}", lc.line);
    } else {
        fputs("null", out);
    }
    fputs(", \"because\": ", out);
    if (because)
        json_string(out, because);
    else
        fputs("null", out);
}

/* , "tables": {"NAME": {decision, arm, because}, ...} for the named tables
 * (none: nothing, as before tables had names). */
static void json_named_tables(Compilation *c, const Results *res, uint32_t r, FILE *out)
{
    Program *p = c->program;
    bool any = false;
    for (uint32_t t = 0; t < p->tables.len && t < res->ntables; t++) {
        const DecideTable *table = program_table(p, t);
        if (!table->name)
            continue;
        fputs(any ? ", " : ", \"tables\": {", out);
        any = true;
        json_string(out, table->name);
        fputs(": {", out);
        json_table_fields(c, res, t, r, out);
        fputc('}', out);
    }
    if (any)
        fputc('}', out);
}

/* {"outcome": n, ..., "undecided": n} of table t. */
static void json_counts(Compilation *c, const Results *res, uint32_t t, FILE *out)
{
    Program *p = c->program;
    unsigned counts[MAX_OUTCOMES], errors;
    summary_counts(res, t, counts, &errors);
    const DecideTable *table = t < p->tables.len ? program_table(p, t) : NULL;
    uint32_t n = table ? table->noutcomes : DEC_COUNT;
    fputc('{', out);
    for (uint32_t k = 0; k < n; k++) {
        int id = table ? table->outcomes[k] : (int)k;
        fprintf(out, "%s\"%s\": %u", k ? ", " : "", outcome_name(p, id), counts[id]);
    }
    fprintf(out, ", \"undecided\": %u}", errors);
}

/* "summary": table 0's counts; "table_summaries": each named table's. */
static void json_summaries(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    fputs(",\n  \"summary\": ", out);
    json_counts(c, res, 0, out);
    bool any = false;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        if (!table->name)
            continue;
        fputs(any ? ", " : ",\n  \"table_summaries\": {", out);
        any = true;
        json_string(out, table->name);
        fputs(": ", out);
        json_counts(c, res, t, out);
    }
    if (any)
        fputc('}', out);
}

static void emit_json(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    KindTable *svc = kind_table(c, EK_SERVICE);
    fputs("{\n  \"format_version\": \"" STRAT_JSON_FORMAT_VERSION "\",\n  \"strategy\": ", out);
    json_string(out, p->strategy.title ? p->strategy.title : "");
    fputs(",\n  \"inputs_sha256\": ", out);
    json_string(out, inputs_sha256(c));
    fputs(",\n  \"scenario\": ", out);
    if (c->opts.scenario)
        json_string(out, c->opts.scenario);
    else
        fputs("null", out);
    json_summaries(c, res, out);
    fputs(",\n  \"decisions\": [", out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        uint32_t r = res->order[i];
        fprintf(out, "%s\n    {\"rank\": %u, \"service\": ", i ? "," : "", res->rank[r]);
        json_string(out, svc->names[r]);
        fputs(", ", out);
        json_table_fields(c, res, 0, r, out);
        json_named_tables(c, res, r, out);
        fputs(", \"rank_value\": ", out);
        json_number(out, res->rank_value[r]);
        fputs(", \"scores\": {", out);
        for (uint32_t s = 0, shown = 0; s < res->nscores; s++) {
            if (res->score_written && !res->score_written[s])
                continue;
            fputs(shown++ ? ", " : "", out);
            json_string(out, ((Score *)p->scores.items[s])->name);
            fputs(": ", out);
            json_number(out, res->scores[(size_t)s * res->nservices + r]);
        }
        fputs("}, \"approvers\": [", out);
        if (res->approvers[r]) {
            /* the list is "a, b" */
            const char *s = res->approvers[r];
            bool first = true;
            while (*s) {
                const char *e = strstr(s, ", ");
                size_t len = e ? (size_t)(e - s) : strlen(s);
                fputs(first ? "" : ", ", out);
                json_string(out, arena_strndup(&c->arena, s, len));
                first = false;
                s += len + (e ? 2 : 0);
            }
        }
        fputs("]}", out);
    }
    fputs(res->nservices ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* Counts per decision only: for dashboards, CI logs, and the benchmark
 * (which compares the deciding, not the printing of a million rows). */
static void emit_summary(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        if (table->name)
            fprintf(out, "# table %s\n", table->name);
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, "%-10s %u\n", outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]]);
        if (errors)
            fprintf(out, "%-10s %u\n", "undecided", errors);
    }
}

strat_status emit_decisions(Compilation *c, FILE *out, const char *format)
{
    if (!decide_have_results(c))
        return STRAT_FINDINGS;
    const Results *res = c->results;
    if (!format || strcmp(format, "table") == 0)
        emit_table(c, res, out);
    else if (strcmp(format, "json") == 0)
        emit_json(c, res, out);
    else if (strcmp(format, "csv") == 0)
        emit_csv(c, res, out);
    else if (strcmp(format, "md") == 0)
        emit_md(c, res, out);
    else if (strcmp(format, "summary") == 0)
        emit_summary(c, res, out);
    else if (strcmp(format, "html") == 0)
        emit_html(c, decide_all_scores(c), out);   /* the report shows them all */
    else
        return STRAT_FAILURE;
    return STRAT_OK;
}
