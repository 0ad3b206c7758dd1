/*
 * emit_html.c — `strat decide --format html`: one self-contained report.
 *
 * Takes the Results of the decision pipeline and gives a single HTML file
 * a portfolio analyst can open offline, mail or print: the strategy and
 * its inputs hash, a summary by decision (counts, and spend when services
 * have a `cost`), a bubble chart of value against health as inline SVG,
 * the ranked table, and under each row the text of `strat explain` for
 * that service on demand (<details>).  Nothing is fetched: the CSS and
 * the small script are inline, and a Content-Security-Policy forbids any
 * request.  The bytes are the same on every run for the same inputs: no
 * clock, no addresses, rows in rank order, sorts with a total order, and
 * numbers formatted independently of the locale.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "demand.h"
#include "diag.h"
#include "digest.h"
#include "emit_html.h"
#include "explain.h"
#include "graph.h"
#include "intern.h"
#include "json.h"
#include "numeric.h"
#include "report.h"
#include "showback.h"
#include "source.h"
#include "unparse.h"

enum {
    MAX_EXPLAIN = 2000,     /* explanations for the first N ranked rows */
    MAX_BUBBLES = 5000      /* bubbles for the first N ranked rows */
};

/* Decision colours: the table `strat graph` uses (graph.c's
 * decision_colour), so a decision looks the same in both pictures; plus a
 * stroke pattern per decision so the chart still reads on a grey-scale
 * printout. */
typedef struct Style {
    const char *fill, *stroke, *dash;   /* fill light, stroke dark */
} Style;

static const char *const DEC_DASH[DEC_COUNT] = {
    [DEC_INVEST] = "", [DEC_ENHANCE] = "6 3", [DEC_MIGRATE] = "2 2",
    [DEC_RETIRE] = "9 3 2 3", [DEC_EXPERIMENT] = "1 3", [DEC_TOLERATE] = "",
};
/* Outcomes of named tables beyond the six, in turn, as graph.c's
 * colours go round. */
static const char *const MORE_DASH[4] = {"", "6 3", "2 2", "9 3 2 3"};

static Style style_of(int d)
{
    DecisionColour k = decision_colour(d);
    const char *dash = d < 0 || d >= MAX_OUTCOMES ? "3 1"
                     : d < DEC_COUNT              ? DEC_DASH[d]
                                                  : MORE_DASH[(d - DEC_COUNT) % 4];
    return (Style){k.fill, k.stroke, dash};
}

/* ---- text ------------------------------------------------------------ */

/* Writes s HTML-escaped (& < > " ' all escaped, so the same function
 * serves text and attribute values).  Invalid UTF-8 and control
 * characters other than tab and newline become U+FFFD: a CSV cell may
 * hold anything. */
static void esc_n(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char b = *p;
        if (b < 0x80) {
            switch (b) {
            case '&': fputs("&amp;", out); break;
            case '<': fputs("&lt;", out); break;
            case '>': fputs("&gt;", out); break;
            case '"': fputs("&quot;", out); break;
            case '\'': fputs("&#39;", out); break;
            case '\t': case '\n': fputc(b, out); break;
            case '\r': break;
            default:
                if (b < 0x20 || b == 0x7f)
                    fputs("\xEF\xBF\xBD", out);
                else
                    fputc(b, out);
            }
            p++;
            continue;
        }
        /* a well-formed multi-byte sequence is copied; anything else is
         * replaced */
        int len = utf8_sequence_len((const char *)p, (size_t)(end - p));
        if (len > 1) {
            fwrite(p, 1, (size_t)len, out);
            p += len;
        } else {
            fputs("\xEF\xBF\xBD", out);
            p++;
        }
    }
}

static void esc(FILE *out, const char *s)
{
    if (s)
        esc_n(out, s, strlen(s));
}

/* Escapes s with a line-break opportunity after each `brk`: long paths
 * and snake_case names may wrap in a narrow column. */
static void esc_wbr(FILE *out, const char *s, char brk)
{
    const char *q;
    while (s && (q = strchr(s, brk)) != NULL) {
        esc_n(out, s, (size_t)(q - s) + 1);
        fputs("<wbr>", out);
        s = q + 1;
    }
    esc(out, s);
}

/* snprintf follows LC_NUMERIC; SVG coordinates and figures must not. */
static const char *fix_point(char *buf)
{
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    return buf;
}

static const char *fixed(char *buf, size_t size, double v, int decimals)
{
    if (!isfinite(v))
        return format_double(buf, size, v);
    snprintf(buf, size, "%.*f", decimals, v);
    if (buf[0] == '-' && strspn(buf, "-0.,") == strlen(buf))
        snprintf(buf, size, "%.*f", decimals, 0.0);   /* no "-0.0" */
    return fix_point(buf);
}

/* Scores for people: four decimals, as the table format. */
static const char *score_text(char *buf, size_t size, double v)
{
    return fixed(buf, size, v, 4);
}

/* A figure the way Strat writes them: 420k, 1.2M, 4.25B. */
static const char *compact(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        return format_double(buf, size, v);
    double a = fabs(v), d = v;
    const char *suffix = "";
    if (a >= 1e9) {
        d = v / 1e9;
        suffix = "B";
    } else if (a >= 1e6) {
        d = v / 1e6;
        suffix = "M";
    } else if (a >= 1e3) {
        d = v / 1e3;
        suffix = "k";
    }
    if (fabs(d) >= 1e4)
        snprintf(buf, size, "%.0f%s", d, suffix);
    else
        snprintf(buf, size, "%.4g%s", d, suffix);
    return fix_point(buf);
}

/* part of whole as "12.5%"; a share that rounds to zero but is not
 * zero shows as "<0.1%" */
static const char *percent(char *buf, size_t size, double part, double whole)
{
    double v = whole > 0 ? 100.0 * part / whole : 0;
    char tmp[48];
    if (v > 0 && v < 0.05)
        snprintf(buf, size, "&lt;0.1%%");
    else
        snprintf(buf, size, "%s%%", fixed(tmp, sizeof tmp, v, 1));
    return buf;
}

/* ---- the decide block ---------------------------------------------- */

static int table_decision_of(const Results *res, uint32_t t, uint32_t row)
{
    int d = t && t < res->ntables ? res->decisions[t][row] : res->decision[row];
    if (res->failed[row] || d < 0 || d >= MAX_OUTCOMES)
        return -1;
    return d;
}

static int decision_of(const Results *res, uint32_t row)
{
    return table_decision_of(res, 0, row);
}

static const char *decision_label(const Program *p, int d)
{
    return d >= 0 ? outcome_name(p, d) : "undecided";
}

/* Table 0's outcomes in its order, then -1 (undecided): the rows of the
 * summary and the legend. */
static uint32_t summary_keys(const Program *p, uint32_t t, int *keys)
{
    uint32_t n = 0;
    if (t < p->tables.len) {
        const DecideTable *table = program_table(p, t);
        for (uint32_t k = 0; k < table->noutcomes; k++)
            keys[n++] = table->outcomes[k];
    } else {
        for (int k = 0; k < DEC_COUNT; k++)
            keys[n++] = k;
    }
    keys[n++] = -1;
    return n;
}

static int score_index(const Program *p, const char *name)
{
    for (uint32_t s = 0; s < p->scores.len; s++)
        if (strcmp(((Score *)p->scores.items[s])->name, name) == 0)
            return (int)s;
    return -1;
}

static const char *score_name(const Program *p, int s)
{
    return ((Score *)p->scores.items[s])->name;
}

static double score_at(const Results *res, int s, uint32_t row)
{
    return res->scores[(size_t)s * res->nservices + row];
}

/* ---- page ----------------------------------------------------------- */

static const char CSS[] =
    ":root{--ink:#1a1a1a;--muted:#555;--rule:#d0d0d0;--paper:#fff;--band:#f6f6f4}\n"
    "*{box-sizing:border-box}\n"
    "[hidden]{display:none!important}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{margin:0 auto;padding:1.5rem 2rem 3rem;max-width:1500px;color:var(--ink);"
    "background:var(--paper);font:14px/1.45 system-ui,-apple-system,\"Segoe UI\","
    "Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "h1{font-size:1.6rem;margin:0 0 .3rem}\n"
    "h2{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.2rem;"
    "border-bottom:2px solid var(--ink)}\n"
    ".vision{margin:0 0 .8rem;color:var(--muted);font-style:italic}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}\n"
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
    "code,pre,.mono{font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    ".note{color:var(--muted);margin:.4rem 0}\n"
    "table{border-collapse:collapse}\n"
    "th,td{padding:.25rem .55rem;text-align:left;vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--ink);vertical-align:bottom;"
    "background:var(--paper)}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "table.summary td,table.summary th{border-bottom:1px solid var(--rule)}\n"
    "table.summary tfoot td{border-top:2px solid var(--ink);border-bottom:none;"
    "font-weight:600}\n"
    ".sw{display:inline-block;width:.85em;height:.85em;border-radius:50%;"
    "border:1.5px solid;vertical-align:-.1em;margin-right:.4em}\n"
    ".pill{display:inline-block;padding:0 .45em;border-radius:.6em;border:1px solid;"
    "border-left-width:5px;font-weight:600;font-size:12.5px;white-space:nowrap;"
    "max-width:100%;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom}\n"
    "figure{margin:0}\n"
    "figure svg{display:block;width:100%;max-width:1100px;height:auto}\n"
    "figcaption{color:var(--muted);margin-top:.3rem}\n"
    "svg text{font-family:system-ui,Arial,sans-serif;fill:var(--ink)}\n"
    "svg a:focus circle,svg a:hover circle{stroke-width:3}\n"
    ".tablewrap{overflow-x:auto}\n"
    "table.ranked{width:100%;font-size:12.5px;table-layout:fixed}\n"
    "table.ranked td{overflow-wrap:anywhere}\n"
    "table.ranked td.svc .title{display:block;color:var(--muted);white-space:nowrap;"
    "overflow:hidden;text-overflow:ellipsis;font-size:12px}\n"
    "table.ranked th,table.ranked td{padding:.25rem .45rem}\n"
    "table.ranked tbody{border-bottom:1px solid var(--rule)}\n"
    "table.ranked tbody:nth-of-type(even){background:var(--band)}\n"
    "table.ranked tbody:target{outline:2px solid var(--ink)}\n"
    "table.ranked td.owner{color:var(--muted)}\n"
    "table.ranked th.axis{text-decoration:underline}\n"
    "tr.why td{padding-top:0;padding-bottom:.3rem}\n"
    "details summary{cursor:pointer;color:var(--muted);font-size:12px;width:max-content}\n"
    "details pre{margin:.3rem 0 .4rem;padding:.6rem .8rem;background:var(--paper);"
    "border:1px solid var(--rule);border-left:4px solid var(--muted);overflow-x:auto;"
    "white-space:pre;line-height:1.35}\n"
    ".controls{display:flex;gap:.6rem;align-items:center;margin:.4rem 0 .6rem;"
    "flex-wrap:wrap}\n"
    ".controls input{font:inherit;padding:.2rem .4rem;min-width:16em}\n"
    ".controls button{font:inherit;padding:.2rem .6rem;cursor:pointer}\n"
    "table.forecasts{font-size:12.5px}\n"
    "table.forecasts td,table.forecasts th{border-bottom:1px solid var(--rule);"
    "vertical-align:middle}\n"
    "table.forecasts svg{display:block;width:120px;height:24px}\n"
    "table.showback{font-size:12.5px}\n"
    "table.showback td,table.showback th{border-bottom:1px solid var(--rule)}\n"
    "table.showback tr.customer_total td,table.showback tr.total td{font-weight:600;"
    "border-bottom:2px solid var(--ink)}\n"
    "table.showback tr.unallocated td{color:var(--muted);font-style:italic}\n"
    "table.showback tr.reconciliation td{color:var(--muted)}\n"
    "table.findings{width:100%;table-layout:fixed;font-size:12.5px}\n"
    "table.findings td,table.findings th{border-bottom:1px solid var(--rule);"
    "overflow-wrap:anywhere}\n"
    "tr.error .sev{color:#b00020;font-weight:700}tr.warning .sev{color:#8a5a00;"
    "font-weight:700}\n"
    "tr.error td:first-child{border-left:4px solid #b00020}"
    "tr.warning td:first-child{border-left:4px solid #e0a000}\n"
    "footer{margin-top:2rem;color:var(--muted);font-size:12px}\n"
    "@media print{body{padding:0;max-width:none;font-size:11px}"
    ".controls{display:none}.tablewrap{overflow:visible}"
    "thead{display:table-header-group}tbody{break-inside:avoid}"
    "figure{break-inside:avoid}h2{break-after:avoid}"
    "details pre{white-space:pre-wrap}table.ranked{font-size:8.5px}"
    "}\n"
    "@page{margin:12mm}\n";

/* The script only adds conveniences (filter, open/close all, a bubble
 * opening its row's explanation); the page is complete without it. */
static const char SCRIPT[] =
    "(function(){\n"
    "  'use strict';\n"
    "  var table = document.getElementById('ranked');\n"
    "  var groups = table ? table.tBodies : [];\n"
    "  var controls = document.getElementById('controls');\n"
    "  if (controls) controls.hidden = false;\n"
    "  var filter = document.getElementById('filter');\n"
    "  var shown = document.getElementById('shown');\n"
    "  function apply() {\n"
    "    var q = filter.value.trim().toLowerCase(), n = 0;\n"
    "    for (var i = 0; i < groups.length; i++) {\n"
    "      var g = groups[i], key = g.getAttribute('data-key') || '';\n"
    "      var hit = !q || key.indexOf(q) >= 0;\n"
    "      g.hidden = !hit;\n"
    "      if (hit) n++;\n"
    "    }\n"
    "    shown.textContent = q ? n + ' of ' + groups.length + ' services shown' : '';\n"
    "  }\n"
    "  if (filter) filter.addEventListener('input', apply);\n"
    "  function setAll(open) {\n"
    "    var ds = document.querySelectorAll('#ranked details');\n"
    "    for (var i = 0; i < ds.length; i++) ds[i].open = open;\n"
    "  }\n"
    "  var b = document.getElementById('open-all');\n"
    "  if (b) b.addEventListener('click', function () { setAll(true); });\n"
    "  b = document.getElementById('close-all');\n"
    "  if (b) b.addEventListener('click', function () { setAll(false); });\n"
    "  function openTarget() {\n"
    "    var id = decodeURIComponent(location.hash.slice(1));\n"
    "    var g = id && document.getElementById(id);\n"
    "    if (!g || !g.querySelector) return;\n"
    "    g.hidden = false;\n"
    "    var d = g.querySelector('details');\n"
    "    if (d) d.open = true;\n"
    "  }\n"
    "  window.addEventListener('hashchange', openTarget);\n"
    "  openTarget();\n"
    "  document.documentElement.setAttribute('data-ready', '1');\n"
    "})();\n";

typedef struct Page {
    Compilation *c;
    const Results *res;
    Program *p;
    KindTable *svc;
    FILE *out;
    int cost_slot;           /* numeric `cost` attribute, or -1 */
    int title_slot, owner_slot;   /* or -1 */
    int xi, yi;              /* default axes: scores, -1 none */
    /* what the chart plots, per row (NULL: no such axis; sv NULL: the
     * cost), and the names the page gives them: scores, or the
     * expressions of the report block */
    const double *xv, *yv, *sv;
    const char *xn, *yn, *sn;
    const char *title;       /* the report block's, or NULL */
    const char *currency;
} Page;

static double cost_of(const Page *pg, uint32_t row)
{
    return pg->cost_slot >= 0 ? col_num(pg->svc, pg->cost_slot, row) : NAN;
}

/* A bubble's size: the report block's `size`, else the cost. */
static double size_of(const Page *pg, uint32_t row)
{
    return pg->sv ? pg->sv[row] : cost_of(pg, row);
}

static void emit_header(Page *pg)
{
    FILE *out = pg->out;
    Compilation *c = pg->c;
    const Strategy *st = &pg->p->strategy;
    const char *title = pg->title ? pg->title : st->title ? st->title : "Strategy";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"strat " STRAT_VERSION "\">\n"
          "<link rel=\"icon\" href=\"data:,\">\n<title>", out);
    esc(out, title);
    fputs(" — decisions</title>\n<style>\n", out);
    fputs(CSS, out);
    fputs("</style>\n</head>\n<body>\n<header>\n<h1>", out);
    esc(out, title);
    fputs("</h1>\n", out);
    if (st->vision) {
        fputs("<p class=\"vision\">", out);
        esc(out, st->vision);
        fputs("</p>\n", out);
    }
    fputs("<dl class=\"meta\">\n", out);
    if (pg->title && st->title) {
        fputs("<dt>strategy</dt><dd>", out);
        esc(out, st->title);
        fputs("</dd>\n", out);
    }
    fputs("<dt>inputs SHA-256</dt><dd><code>", out);
    esc(out, inputs_sha256(c));
    fputs("</code></dd>\n<dt>scenario</dt><dd>", out);
    if (c->opts.scenario) {
        fputs("<strong>", out);
        esc(out, c->opts.scenario);
        fputs("</strong>", out);
    } else {
        fputs("none (baseline)", out);
    }
    fputs("</dd>\n", out);
    fprintf(out, "<dt>services</dt><dd>%u</dd>\n", pg->res->nservices);
    if (pg->p->decide && pg->p->decide->rank) {
        fputs("<dt>ranked by</dt><dd><code>", out);
        esc(out, expr_text(c, pg->p->decide->rank));
        fprintf(out, " %s</code></dd>\n",
                pg->p->decide->rank_order == SORT_DESC ? "desc" : "asc");
    }
    if (isfinite(st->budget)) {
        char b[96];
        fputs("<dt>budget</dt><dd>", out);
        esc(out, num_money(b, sizeof b, st->budget, pg->currency));
        fputs("</dd>\n", out);
    }
    fputs("</dl>\n</header>\n", out);
}

static void swatch(FILE *out, int d)
{
    Style s = style_of(d);
    fprintf(out, "<span class=\"sw\" style=\"background:%s;border-color:%s\"></span>",
            s.fill, s.stroke);
}

static void pill(FILE *out, const Program *p, int d)
{
    Style s = style_of(d);
    fprintf(out, "<span class=\"pill\" style=\"background:%s;border-color:%s\">%s</span>",
            s.fill, s.stroke, decision_label(p, d));
}

/* A summary row's first cells: the outcome with its swatch, the count
 * and its share of the services (the row left open for more cells). */
static void summary_row_start(Page *pg, int d, unsigned count)
{
    char b[48];
    fputs("<tr><td>", pg->out);
    swatch(pg->out, d);
    fputs(decision_label(pg->p, d), pg->out);
    fprintf(pg->out, "</td><td class=\"num\">%u</td><td class=\"num\">%s</td>", count,
            percent(b, sizeof b, count, pg->res->nservices));
}

/* A named table after the first: services per outcome. */
static void table_summary(Page *pg, uint32_t t)
{
    FILE *out = pg->out;
    const Results *res = pg->res;
    const char *name = program_table(pg->p, t)->name;
    unsigned counts[MAX_OUTCOMES + 1] = {0};
    for (uint32_t r = 0; r < res->nservices; r++) {
        int d = table_decision_of(res, t, r);
        counts[d >= 0 ? d : MAX_OUTCOMES]++;
    }
    fputs("<h3>", out);
    esc(out, name);
    fputs("</h3>\n<table class=\"summary\">\n<thead><tr><th>", out);
    esc(out, name);
    fputs("</th><th class=\"num\">services</th><th class=\"num\">share</th></tr></thead>\n"
          "<tbody>\n", out);
    int keys[MAX_OUTCOMES + 1];
    uint32_t nkeys = summary_keys(pg->p, t, keys);
    for (uint32_t i = 0; i < nkeys; i++) {
        int d = keys[i], k = d >= 0 ? d : MAX_OUTCOMES;
        if (d < 0 && !counts[k])
            break;
        summary_row_start(pg, d, counts[k]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void emit_summary(Page *pg)
{
    FILE *out = pg->out;
    const Results *res = pg->res;
    unsigned counts[MAX_OUTCOMES + 1] = {0};       /* last: undecided */
    double spend[MAX_OUTCOMES + 1] = {0};
    unsigned nocost = 0;
    for (uint32_t r = 0; r < res->nservices; r++) {
        int d = decision_of(res, r);
        int k = d >= 0 ? d : MAX_OUTCOMES;
        counts[k]++;
        double v = cost_of(pg, r);
        if (isfinite(v))
            spend[k] += v;
        else
            nocost++;
    }
    bool cost = pg->cost_slot >= 0;
    double total = 0;
    for (int k = 0; k <= MAX_OUTCOMES; k++)
        total += spend[k];
    const DecideTable *t0 = pg->p->tables.len ? program_table(pg->p, 0) : NULL;
    fputs("<section id=\"summary\">\n<h2>Summary by ", out);
    esc(out, t0 && t0->name ? t0->name : "decision");
    fputs("</h2>\n<table class=\"summary\">\n<thead><tr><th>", out);
    esc(out, t0 && t0->name ? t0->name : "decision");
    fputs("</th>"
          "<th class=\"num\">services</th><th class=\"num\">share</th>", out);
    if (cost) {
        fputs("<th class=\"num\">total cost", out);
        if (pg->currency) {
            fputs(" (", out);
            esc(out, pg->currency);
            fputc(')', out);
        }
        fputs("</th><th class=\"num\">share of cost</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    char b1[96], b2[48], b3[48];
    int keys[MAX_OUTCOMES + 1];
    uint32_t nkeys = summary_keys(pg->p, 0, keys);
    for (uint32_t i = 0; i < nkeys; i++) {
        int d = keys[i], k = d >= 0 ? d : MAX_OUTCOMES;
        if (d < 0 && !counts[k])
            break;
        summary_row_start(pg, d, counts[k]);
        if (cost) {
            fprintf(out, "<td class=\"num\" title=\"%s\">%s</td><td class=\"num\">%s</td>",
                    format_double(b2, sizeof b2, spend[k]),
                    num_money(b1, sizeof b1, spend[k], NULL),
                    percent(b3, sizeof b3, spend[k], total));
        }
        fputs("</tr>\n", out);
    }
    fprintf(out, "</tbody>\n<tfoot><tr><td>all</td><td class=\"num\">%u</td>"
                 "<td class=\"num\">100.0%%</td>",
            res->nservices);
    if (cost)
        fprintf(out, "<td class=\"num\" title=\"%s\">%s</td><td class=\"num\">100.0%%</td>",
                format_double(b2, sizeof b2, total), num_money(b1, sizeof b1, total, NULL));
    fputs("</tr></tfoot>\n</table>\n", out);
    for (uint32_t t = 1; t < pg->p->tables.len; t++)
        table_summary(pg, t);
    if (cost && nocost)
        fprintf(out, "<p class=\"note\">%u service%s without a cost %s not in the totals.</p>\n",
                nocost, nocost == 1 ? "" : "s", nocost == 1 ? "is" : "are");
    if (!cost)
        fputs("<p class=\"note\">Services have no <code>cost</code> attribute: "
              "no spend figures.</p>\n", out);
    fputs("</section>\n", out);
}

/* ---- chart ------------------------------------------------------------ */

typedef struct Axis {
    double lo, hi, step;
    int decimals;
} Axis;

/* A range with round ticks (1, 2 or 5 times a power of ten) covering
 * [lo, hi].  The room bubbles need at the edges is left in pixels (the
 * plot is inset), so a score in 0..1 keeps the axis 0..1. */
static Axis nice_axis(double lo, double hi)
{
    Axis a;
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.5 : 0.5;
        lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / 6;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    a.step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    double l = -floor(log10(a.step) + 1e-9);
    a.decimals = l > 0 ? (int)l : 0;
    if (a.decimals > 10)
        a.decimals = 10;
    return a;
}

typedef enum LabelAt { LABEL_NONE, LABEL_RIGHT, LABEL_LEFT, LABEL_ABOVE, LABEL_BELOW } LabelAt;

typedef struct Bubble {
    uint32_t row, pos;       /* pos: index in rank order */
    double x, y;             /* scores */
    double px, py, r;        /* pixels */
    LabelAt label;
} Bubble;

static int bubble_cmp(const void *a, const void *b)
{
    const Bubble *p = a, *q = b;
    /* big ones first, so small ones stay on top and clickable; then by
     * rank so the order is total and the bytes deterministic */
    if (p->r != q->r)
        return p->r > q->r ? -1 : 1;
    return p->pos < q->pos ? -1 : p->pos > q->pos;
}

enum {
    CH_W = 1000, CH_H = 600,
    PL_L = 78, PL_R = 770, PL_T = 16, PL_B = 536,   /* plot area */
    INSET = 20,              /* room inside the axes for the bubbles */
    R_MAX = 30, R_MIN = 4, R_FIXED = 8,
    MAX_LABELS = 150,        /* names tried for the first N ranked bubbles */
    LABEL_SIZE = 11
};

static double map_x(const Axis *a, double v)
{
    return (PL_L + INSET) + (v - a->lo) / (a->hi - a->lo) * ((PL_R - INSET) - (PL_L + INSET));
}

static double map_y(const Axis *a, double v)
{
    return (PL_B - INSET) - (v - a->lo) / (a->hi - a->lo) * ((PL_B - INSET) - (PL_T + INSET));
}

typedef struct Box {
    double x0, y0, x1, y1;
} Box;

static double label_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return 0.62 * LABEL_SIZE * (double)n;   /* a generous sans-serif average */
}

static Box label_box(const Bubble *b, LabelAt at, double w)
{
    double h = LABEL_SIZE + 1;
    switch (at) {
    case LABEL_RIGHT: return (Box){b->px + b->r + 3, b->py - h / 2, b->px + b->r + 3 + w, b->py + h / 2};
    case LABEL_LEFT: return (Box){b->px - b->r - 3 - w, b->py - h / 2, b->px - b->r - 3, b->py + h / 2};
    case LABEL_ABOVE: return (Box){b->px - w / 2, b->py - b->r - 2 - h, b->px + w / 2, b->py - b->r - 2};
    default: return (Box){b->px - w / 2, b->py + b->r + 2, b->px + w / 2, b->py + b->r + 2 + h};
    }
}

static bool box_hits_circle(const Box *k, double cx, double cy, double r)
{
    double nx = cx < k->x0 ? k->x0 : cx > k->x1 ? k->x1 : cx;
    double ny = cy < k->y0 ? k->y0 : cy > k->y1 ? k->y1 : cy;
    return (nx - cx) * (nx - cx) + (ny - cy) * (ny - cy) < r * r;
}

/* Names next to bubbles, for the printed page where no tooltip shows:
 * greedily in rank order, at the first of right, left, above, below that
 * stays in the plot and covers no other name and no bubble's core. */
static void place_labels(Compilation *c, const Page *pg, Bubble *bs, uint32_t nb)
{
    uint32_t n = nb < MAX_LABELS ? nb : MAX_LABELS;
    Box *placed = ARENA_ARRAY(&c->arena, Box, n ? n : 1);
    uint32_t np = 0;
    for (uint32_t i = 0; i < n; i++) {
        Bubble *b = &bs[i];
        double w = label_width(pg->svc->names[b->row]);
        for (LabelAt at = LABEL_RIGHT; at <= LABEL_BELOW; at++) {
            Box k = label_box(b, at, w);
            bool ok = k.x0 >= PL_L + 2 && k.x1 <= PL_R - 2 && k.y0 >= PL_T + 2 &&
                      k.y1 <= PL_B - 2;
            for (uint32_t j = 0; ok && j < np; j++)
                ok = k.x1 <= placed[j].x0 || k.x0 >= placed[j].x1 || k.y1 <= placed[j].y0 ||
                     k.y0 >= placed[j].y1;
            for (uint32_t j = 0; ok && j < nb; j++)
                ok = j == i || !box_hits_circle(&k, bs[j].px, bs[j].py,
                                                bs[j].r * 0.7 > 2 ? bs[j].r * 0.7 : 2);
            if (ok) {
                b->label = at;
                placed[np++] = k;
                break;
            }
        }
    }
}

/* What the chart draws: the bubbles of the first `limit` ranked services
 * whose two scores are numbers, and their axes. */
typedef struct Chart {
    Bubble *bs;
    uint32_t nb, limit;
    uint32_t skipped;        /* a score is not a number */
    uint32_t nocost;         /* drawn at a fixed size: no cost */
    uint32_t spread;         /* moved off a spot another bubble holds */
    uint32_t spread_max;     /* the most moved off one spot */
    double rmax;             /* the largest radius, smaller for many bubbles */
    Axis ax, ay;
    bool sized;              /* bubble area is cost */
    double cmax;
    const char *xn, *yn;     /* the scores' names */
} Chart;

/* Rank order of the bubbles for grouping by spot: pixel position rounded
 * to the unit, then rank. */
typedef struct Spot {
    long x, y;
    uint32_t i;              /* index in the bubble array (rank order) */
} Spot;

static int spot_cmp(const void *a, const void *b)
{
    const Spot *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* Bubbles on the same spot (the same two values, common when scores take
 * a few discrete values) are spread around it on a sunflower spiral: the
 * highest-ranked stays on the spot, the k-th next goes sqrt(k) steps out
 * at k golden angles, so each is visible, hoverable and clickable.  The
 * move depends only on the values and the ranks: the same on every run.
 * Gives the number of bubbles moved, and in *most the most off one spot. */
static uint32_t spread_coincident(Compilation *c, Bubble *bs, uint32_t nb, uint32_t *most)
{
    Spot *sp = ARENA_ARRAY(&c->arena, Spot, nb ? nb : 1);
    for (uint32_t i = 0; i < nb; i++)
        sp[i] = (Spot){lround(bs[i].px), lround(bs[i].py), i};
    qsort(sp, nb, sizeof *sp, spot_cmp);
    uint32_t moved = 0;
    const double golden = 2.399963229728653, step = 7;
    for (uint32_t g = 0; g < nb;) {
        uint32_t e = g + 1;
        while (e < nb && sp[e].x == sp[g].x && sp[e].y == sp[g].y)
            e++;
        if (e - g - 1 > *most)
            *most = e - g - 1;
        for (uint32_t k = 1; k < e - g; k++) {
            Bubble *b = &bs[sp[g + k].i];
            double rho = step * sqrt((double)k), a = golden * (double)k;
            double dx = rho * cos(a), dy = rho * sin(a);
            /* a step out of the plot area is taken the other way: the
             * spot is inside, at least INSET from each edge */
            if (b->px + dx < PL_L + 2 || b->px + dx > PL_R - 2)
                dx = -dx;
            if (b->py + dy < PL_T + 2 || b->py + dy > PL_B - 2)
                dy = -dy;
            b->px += dx;
            b->py += dy;
            moved++;
        }
        g = e;
    }
    return moved;
}

/* The bubbles, placed and sized, names placed, in drawing order; false
 * when no service has both scores. */
static bool chart_bubbles(Page *pg, Chart *ch)
{
    Compilation *c = pg->c;
    const Results *res = pg->res;
    ch->limit = res->nservices < MAX_BUBBLES ? res->nservices : MAX_BUBBLES;
    ch->bs = ARENA_ARRAY(&c->arena, Bubble, ch->limit ? ch->limit : 1);
    Bubble *bs = ch->bs;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (uint32_t i = 0; i < ch->limit; i++) {
        uint32_t r = result_row_at(res, i);
        double x = pg->xv[r], y = pg->yv[r];
        if (!isfinite(x) || !isfinite(y)) {
            ch->skipped++;
            continue;
        }
        double cost = size_of(pg, r);
        if (isfinite(cost) && cost > ch->cmax)
            ch->cmax = cost;
        bs[ch->nb++] = (Bubble){.row = r, .pos = i, .x = x, .y = y};
        xlo = fmin(xlo, x);
        xhi = fmax(xhi, x);
        ylo = fmin(ylo, y);
        yhi = fmax(yhi, y);
    }
    if (!ch->nb)
        return false;
    ch->ax = nice_axis(xlo, xhi);
    ch->ay = nice_axis(ylo, yhi);
    ch->sized = (pg->sv || pg->cost_slot >= 0) && ch->cmax > 0;
    /* many bubbles: smaller ones, so a crowd stays a set of circles
     * rather than one blob (area per bubble falls as 60/n, down to a
     * fifth of the full size) */
    double shrink = ch->nb > 60 ? sqrt(60.0 / ch->nb) : 1;
    ch->rmax = R_MAX * (shrink < 0.45 ? 0.45 : shrink);
    for (uint32_t i = 0; i < ch->nb; i++) {
        Bubble *b = &bs[i];
        double cost = size_of(pg, b->row);
        b->px = map_x(&ch->ax, b->x);
        b->py = map_y(&ch->ay, b->y);
        if (!ch->sized) {
            b->r = R_FIXED;
        } else if (!isfinite(cost)) {
            b->r = R_FIXED;
            ch->nocost++;
        } else {
            double r = ch->rmax * sqrt((cost > 0 ? cost : 0) / ch->cmax);
            b->r = r < R_MIN ? R_MIN : r;
        }
    }
    ch->spread = spread_coincident(c, bs, ch->nb, &ch->spread_max);
    place_labels(c, pg, bs, ch->nb);     /* in rank order, before the sort */
    qsort(bs, ch->nb, sizeof *bs, bubble_cmp);
    return true;
}

/* The svg's title, plot area, grid, axes, ticks and axis names. */
static void chart_frame(Page *pg, const Chart *ch)
{
    FILE *out = pg->out;
    const Axis *ax = &ch->ax, *ay = &ch->ay;
    char b1[48], b2[48];
    fprintf(out, "<figure>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">",
            CH_W, CH_H);
    esc(out, ch->xn);
    fputs(" against ", out);
    esc(out, ch->yn);
    fputs(" by service; bubble area is cost, colour is the decision</title>\n", out);
    /* plot area, grid and ticks */
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fbfbfa\" "
                 "stroke=\"none\"/>\n<g stroke=\"#dedede\" stroke-width=\"1\">\n",
            PL_L, PL_T, PL_R - PL_L, PL_B - PL_T);
    int nx = (int)floor((ax->hi - ax->lo) / ax->step + 0.5);
    int ny = (int)floor((ay->hi - ay->lo) / ay->step + 0.5);
    for (int k = 0; k <= nx; k++)
        fprintf(out, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"/>\n",
                fixed(b1, sizeof b1, map_x(ax, ax->lo + k * ax->step), 1), PL_T, b1, PL_B);
    for (int k = 0; k <= ny; k++)
        fprintf(out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\"/>\n", PL_L,
                fixed(b1, sizeof b1, map_y(ay, ay->lo + k * ay->step), 1), PL_R, b1);
    fputs("</g>\n", out);
    fprintf(out, "<g stroke=\"#1a1a1a\" stroke-width=\"1.5\" fill=\"none\">\n"
                 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            PL_L, PL_B, PL_R, PL_B, PL_L, PL_T, PL_L, PL_B);
    for (int k = 0; k <= nx; k++)
        fprintf(out, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"/>",
                fixed(b1, sizeof b1, map_x(ax, ax->lo + k * ax->step), 1), PL_B, b1, PL_B + 6);
    for (int k = 0; k <= ny; k++)
        fprintf(out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\"/>", PL_L - 6,
                fixed(b1, sizeof b1, map_y(ay, ay->lo + k * ay->step), 1), PL_L, b1);
    fputs("\n</g>\n<g font-size=\"13\">\n", out);
    for (int k = 0; k <= nx; k++) {
        double v = ax->lo + k * ax->step;
        fprintf(out, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                fixed(b1, sizeof b1, map_x(ax, v), 1), PL_B + 21,
                fixed(b2, sizeof b2, v, ax->decimals));
    }
    for (int k = 0; k <= ny; k++) {
        double v = ay->lo + k * ay->step;
        fprintf(out, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\" "
                     "dominant-baseline=\"middle\">%s</text>\n",
                PL_L - 10, fixed(b1, sizeof b1, map_y(ay, v), 1),
                fixed(b2, sizeof b2, v, ay->decimals));
    }
    fprintf(out, "</g>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" "
                 "font-weight=\"600\">",
            (PL_L + PL_R) / 2, PL_B + 50);
    esc(out, ch->xn);
    fputs(" →</text>\n", out);
    fprintf(out, "<text transform=\"translate(22 %d) rotate(-90)\" text-anchor=\"middle\" "
                 "font-size=\"15\" font-weight=\"600\">",
            (PL_T + PL_B) / 2);
    esc(out, ch->yn);
    fputs(" →</text>\n", out);
}

/* Bubbles, each a link to its row, with its figures as a tooltip; then
 * the names, with a white halo so they read over grid lines and bubbles. */
static void chart_points(Page *pg, const Chart *ch)
{
    FILE *out = pg->out;
    const Results *res = pg->res;
    char b1[96], b2[48], b3[48];
    fputs("<g stroke-width=\"1.6\">\n", out);
    for (uint32_t i = 0; i < ch->nb; i++) {
        const Bubble *b = &ch->bs[i];
        int d = decision_of(res, b->row);
        Style s = style_of(d);
        fprintf(out, "<a href=\"#s%u\"><circle cx=\"%s\" cy=\"%s\" r=\"%s\" fill=\"%s\" "
                     "fill-opacity=\"0.8\" stroke=\"%s\"",
                b->pos + 1, fixed(b1, sizeof b1, b->px, 1), fixed(b2, sizeof b2, b->py, 1),
                fixed(b3, sizeof b3, b->r, 1), s.fill, s.stroke);
        if (*s.dash)
            fprintf(out, " stroke-dasharray=\"%s\"", s.dash);
        fputs("><title>", out);
        esc(out, pg->svc->names[b->row]);
        fprintf(out, " — %s\n", decision_label(pg->p, d));
        esc(out, ch->xn);
        fprintf(out, " %s, ", score_text(b1, sizeof b1, b->x));
        esc(out, ch->yn);
        fprintf(out, " %s", score_text(b1, sizeof b1, b->y));
        double cost = cost_of(pg, b->row);
        if (pg->cost_slot >= 0 && isfinite(cost))
            fprintf(out, "\ncost %s", num_money(b1, sizeof b1, cost, pg->currency));
        if (pg->sv) {
            fputc('\n', out);
            esc(out, pg->sn);
            fprintf(out, " %s", score_text(b1, sizeof b1, pg->sv[b->row]));
        }
        fprintf(out, "\nrank %u</title></circle></a>\n", result_rank(res, b->row));
    }
    fputs("</g>\n", out);
    fprintf(out, "<g font-size=\"%d\" stroke=\"#ffffff\" stroke-width=\"3\" "
                 "stroke-linejoin=\"round\" paint-order=\"stroke\" pointer-events=\"none\">\n",
            LABEL_SIZE);
    for (uint32_t i = 0; i < ch->nb; i++) {
        const Bubble *b = &ch->bs[i];
        if (b->label == LABEL_NONE)
            continue;
        double w = label_width(pg->svc->names[b->row]);
        Box k = label_box(b, b->label, w);
        const char *anchor = b->label == LABEL_RIGHT ? "start"
                           : b->label == LABEL_LEFT  ? "end"
                                                     : "middle";
        double x = b->label == LABEL_RIGHT ? k.x0 : b->label == LABEL_LEFT ? k.x1 : b->px;
        fprintf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\">", fixed(b1, sizeof b1, x, 1),
                fixed(b2, sizeof b2, k.y1 - 2.5, 1), anchor);
        esc(out, pg->svc->names[b->row]);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

/* The legend: decisions with their counts, then the cost scale; and the
 * end of the svg. */
static void chart_legend(Page *pg, const Chart *ch)
{
    FILE *out = pg->out;
    char b1[48];
    int lx = PL_R + 34, ly = PL_T + 14;
    fprintf(out, "<g font-size=\"13\">\n<text x=\"%d\" y=\"%d\" font-weight=\"600\">"
                 "decision</text>\n",
            lx, ly);
    unsigned counts[MAX_OUTCOMES + 1] = {0};
    for (uint32_t i = 0; i < ch->nb; i++) {
        int d = decision_of(pg->res, ch->bs[i].row);
        counts[d >= 0 ? d : MAX_OUTCOMES]++;
    }
    int keys[MAX_OUTCOMES + 1];
    uint32_t nkeys = summary_keys(pg->p, 0, keys);
    for (uint32_t i = 0; i < nkeys; i++) {
        int d = keys[i], k = d >= 0 ? d : MAX_OUTCOMES;
        if (d < 0 && !counts[k])
            break;
        Style s = style_of(d);
        ly += 26;
        fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"8\" fill=\"%s\" fill-opacity=\"0.8\" "
                     "stroke=\"%s\" stroke-width=\"1.6\"",
                lx + 8, ly - 4, s.fill, s.stroke);
        if (*s.dash)
            fprintf(out, " stroke-dasharray=\"%s\"", s.dash);
        fprintf(out, "/><text x=\"%d\" y=\"%d\">%s (%u)</text>\n", lx + 24, ly,
                decision_label(pg->p, d), counts[k]);
    }
    ly += 48;
    if (ch->sized) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"600\">", lx, ly);
        esc(out, pg->sv ? pg->sn : "cost");
        fputs(" (bubble area)</text>\n", out);
        /* the largest cost and a quarter of it: radii R_MAX and R_MAX / 2,
         * nested on a common baseline (scaled as the bubbles are) */
        int rm = (int)lround(ch->rmax);
        int cx = lx + rm + 2, base = ly + 14 + 2 * rm;
        fprintf(out, "<g fill=\"none\" stroke=\"#555555\" stroke-width=\"1\">"
                     "<circle cx=\"%d\" cy=\"%d\" r=\"%d\"/>"
                     "<circle cx=\"%d\" cy=\"%d\" r=\"%d\"/></g>\n",
                cx, base - rm, rm, cx, base - rm / 2, rm / 2);
        fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", cx + rm + 8,
                base - 2 * rm + 10, compact(b1, sizeof b1, ch->cmax));
        fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", cx + rm + 8, base - rm + 10,
                compact(b1, sizeof b1, ch->cmax / 4));
        if (pg->currency && !pg->sv) {
            fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#555555\">in ", lx, base + 20);
            esc(out, pg->currency);
            fputs("</text>\n", out);
        }
    } else {
        fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#555555\">%s</text>\n"
                     "<text x=\"%d\" y=\"%d\" fill=\"#555555\">equal bubble sizes</text>\n",
                lx, ly, pg->sv ? "no sizes above 0:" : pg->cost_slot >= 0 ? "no costs set:"
                                                           : "no cost attribute:", lx,
                ly + 18);
    }
    fputs("</g>\n</svg>\n", out);
}

/* What the chart shows and leaves out, in words. */
static void chart_caption(Page *pg, const Chart *ch)
{
    FILE *out = pg->out;
    fputs("<figcaption>", out);
    fputs("x: <code>", out);
    esc(out, ch->xn);
    fputs("</code>; y: <code>", out);
    esc(out, ch->yn);
    fputs("</code>; ", out);
    if (ch->sized) {
        fputs("bubble area proportional to <code>", out);
        esc(out, pg->sv ? pg->sn : "cost");
        fputs("</code>; ", out);
    } else {
        fputs("all bubbles the same size; ", out);
    }
    fputs("fill colour and outline pattern show the decision; names where they fit. "
          "Hover a bubble for its figures, click it to open its explanation.", out);
    if (pg->res->nservices > ch->limit)
        fprintf(out, " The chart shows the %u highest-ranked of %u services.", ch->limit,
                pg->res->nservices);
    if (ch->skipped)
        fprintf(out, " %u service%s not plotted: an axis is not a number.", ch->skipped,
                ch->skipped == 1 ? "" : "s");
    if (ch->spread)
        fprintf(out, " %u service%s sharing a spot with a higher-ranked one %s drawn spread "
                     "around it (a spiral, up to %ld px out), so that each can be seen and "
                     "clicked; the table has the exact values.",
                ch->spread, ch->spread == 1 ? "" : "s", ch->spread == 1 ? "is" : "are",
                lround(7 * sqrt((double)ch->spread_max)));
    if (ch->nocost)
        fprintf(out, " %u service%s without a cost drawn at a fixed size.", ch->nocost,
                ch->nocost == 1 ? "" : "s");
    fputs("</figcaption>\n</figure>\n</section>\n", out);
}

/* Two scores against each other (pg->xi and pg->yi: `value` and
 * `health`, else the first two), a bubble per service. */
static void emit_chart(Page *pg)
{
    FILE *out = pg->out;
    const Program *p = pg->p;
    fputs("<section id=\"chart\">\n<h2>", out);
    if (pg->xv && pg->yv) {
        esc(out, pg->xn);
        fputs(" against ", out);
        esc(out, pg->yn);
    } else {
        fputs("Chart", out);
    }
    fputs("</h2>\n", out);
    if (!pg->xv || !pg->yv) {
        fprintf(out, "<p class=\"note\">The chart needs two scores; this strategy has "
                     "%u.</p>\n</section>\n", p->scores.len);
        return;
    }
    Chart ch = {0};
    if (!chart_bubbles(pg, &ch)) {
        fputs("<p class=\"note\">No service has both scores as numbers: nothing to "
              "plot.</p>\n</section>\n", out);
        return;
    }
    ch.xn = pg->xn;
    ch.yn = pg->yn;
    chart_frame(pg, &ch);
    chart_points(pg, &ch);
    chart_legend(pg, &ch);
    chart_caption(pg, &ch);
}

/* ---- findings --------------------------------------------------------- */

static const char *iso_date(char *buf, size_t size, int32_t days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04d-%02u-%02u", y, m, d);
    return buf;
}

/* "path:line" of loc, escaped, breakable at slashes. */
static void where(Page *pg, Loc loc)
{
    Source *src = source_get(pg->c, loc.file);
    if (!src)
        return;
    LineCol lc = source_linecol(pg->c, loc.file, loc.start);
    esc_wbr(pg->out, src->path, '/');
    fprintf(pg->out, ":%u", lc.line);
}

/* The governance findings `strat check` reports: rules and limits
 * violated, live services past end of life, waivers expired or unused. */
static bool governance_code(DiagCode code)
{
    return code == D_RULE_VIOLATION || code == D_LIMIT_VIOLATION ||
           code == D_PAST_END_OF_LIFE || code == D_WAIVER_EXPIRED || code == D_WAIVER_UNUSED;
}

static void findings_table(Page *pg)
{
    FILE *out = pg->out;
    Compilation *c = pg->c;
    Diag **ds = diag_sorted(c);
    uint32_t shown = 0, other = 0, errors = 0;
    for (uint32_t i = 0; i < c->diags.len; i++) {
        Diag *d = ds[i];
        if (d->severity > SEV_WARNING)
            continue;
        if (!governance_code(d->code)) {
            other++;
            continue;
        }
        if (!shown++)
            fputs("<table class=\"findings\">\n<colgroup><col style=\"width:6em\">"
                  "<col style=\"width:11em\"><col style=\"width:22%\"><col></colgroup>\n"
                  "<thead><tr><th>severity</th><th>check</th><th>where</th><th>finding</th>"
                  "</tr></thead>\n<tbody>\n", out);
        errors += d->severity == SEV_ERROR;
        const DiagInfo *info = diag_info(d->code);
        fprintf(out, "<tr class=\"%s\"><td><span class=\"sev\">%s</span></td>"
                     "<td><code>%s</code> ",
                d->severity == SEV_ERROR ? "error" : "warning",
                d->severity == SEV_ERROR ? "error" : "warning", info->code);
        esc_wbr(out, info->name, '_');
        fputs("</td><td class=\"mono\">", out);
        where(pg, d->loc);
        fputs("</td><td>", out);
        esc(out, d->msg);
        if (d->hint) {
            fputs("<br><span class=\"note\">", out);
            esc(out, d->hint);
            fputs("</span>", out);
        }
        fputs("</td></tr>\n", out);
    }
    if (shown)
        fputs("</tbody>\n</table>\n", out);
    else
        fputs("<p class=\"note\">No rule or limit is violated, no live service is past "
              "its end of life, and no waiver has expired or gone unused.</p>\n", out);
    if (!shown && !other)
        return;
    fputs("<p class=\"note\">", out);
    if (shown)
        fprintf(out, "%u finding%s, %u of them error%s.", shown, shown == 1 ? "" : "s", errors,
                errors == 1 ? "" : "s");
    if (other)
        fprintf(out, " %u other warning%s or error%s (lint checks): run <code>strat "
                     "check</code> for %s.",
                other, other == 1 ? "" : "s", other == 1 ? "" : "s",
                other == 1 ? "it" : "them");
    fputs("</p>\n", out);
}

/* Under a waiver's name, who approved it and why (its `approved_by` and
 * `reason`), when it says: what a reviewer asks of an exception first. */
static void waiver_why(Page *pg, const Waiver *w)
{
    const Compilation *c = pg->c;
    Name by = NULL;
    const Str *reason = NULL;
    for (const Item *it = w->decl ? w->decl->items : NULL; it; it = it->next) {
        if (it->kind != ITEM_ATTR)
            continue;
        if (it->name == c->n.approved_by && it->value->kind == EX_NAME)
            by = it->value->u.name.id;
        else if (it->name == c->n.reason && it->value->kind == EX_STRING)
            reason = &it->value->u.str;
    }
    if (!by && !reason)
        return;
    fputs("<br><span class=\"note\">", pg->out);
    if (by) {
        fputs("approved by ", pg->out);
        esc_wbr(pg->out, by, '_');
        fputs(reason ? ": " : "", pg->out);
    }
    if (reason)
        esc(pg->out, reason->s);
    fputs("</span>", pg->out);
}

/* Every waiver with its expiry: expired ones (before today) marked, and
 * those ending within 90 days. */
static void waivers_table(Page *pg)
{
    FILE *out = pg->out;
    Compilation *c = pg->c;
    const Program *p = pg->p;
    char b1[32], b2[32];
    fputs("<h3>Waivers</h3>\n", out);
    if (!p->waivers.len) {
        fputs("<p class=\"note\">No waivers.</p>\n", out);
        return;
    }
    fprintf(out, "<table class=\"findings\">\n<colgroup><col style=\"width:18%%\">"
                 "<col style=\"width:18%%\"><col style=\"width:18%%\">"
                 "<col style=\"width:7.5em\"><col></colgroup>\n"
                 "<thead><tr><th>waiver</th><th>rule</th><th>entity</th><th>until</th>"
                 "<th>status on %s</th></tr></thead>\n<tbody>\n",
            iso_date(b1, sizeof b1, p->today));
    for (uint32_t i = 0; i < p->waivers.len; i++) {
        const Waiver *w = p->waivers.items[i];
        bool expired = w->until != INT32_MIN && w->until < p->today;
        bool soon = !expired && w->until != INT32_MIN && w->until - p->today <= 90;
        fprintf(out, "<tr class=\"%s\"><td>", expired ? "error" : soon ? "warning" : "ok");
        esc_wbr(out, w->name, '_');
        waiver_why(pg, w);
        fputs("</td><td>", out);
        esc_wbr(out, w->past_end_of_life ? "past_end_of_life" : w->rule ? w->rule->name : "?",
                '_');
        fputs("</td><td>", out);
        if (w->entity >= 0)
            esc_wbr(out, entity_label(c, w->entity_kind, w->entity), '_');
        fputs("</td><td class=\"num\">", out);
        if (w->until != INT32_MIN)
            fputs(iso_date(b2, sizeof b2, w->until), out);
        fputs("</td><td>", out);
        if (w->until == INT32_MIN)
            fputs("no date", out);
        else if (expired)
            fprintf(out, "<span class=\"sev\">expired</span> %d day%s ago: it no longer "
                         "applies",
                    p->today - w->until, p->today - w->until == 1 ? "" : "s");
        else if (soon)
            fprintf(out, "<span class=\"sev\">expires</span> in %d day%s",
                    w->until - p->today, w->until - p->today == 1 ? "" : "s");
        else
            fputs("in force", out);
        if (!expired && !w->used && w->entity >= 0)
            fputs("; unused: the entity keeps the rule anyway", out);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void emit_findings(Page *pg)
{
    fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", pg->out);
    findings_table(pg);
    waivers_table(pg);
    fputs("</section>\n", pg->out);
}

/* ---- lifecycle timeline ------------------------------------------------- */

enum {
    TL_W = 1000, TL_L = 190, TL_R = 980,   /* plot from TL_L to TL_R */
    TL_TOP = 34, TL_ROW = 20,
    MAX_TIMELINE = 300                      /* rows drawn; the rest counted */
};

typedef struct Milestones {
    uint32_t row;
    int32_t at[3];           /* end_of_support, ..._extended_support, ..._life */
    int32_t first, last;
} Milestones;

static int milestones_cmp(const void *a, const void *b)
{
    const Milestones *p = a, *q = b;
    if (p->first != q->first)
        return p->first < q->first ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

static double tl_x(int32_t lo, int32_t hi, int32_t day)
{
    return TL_L + (double)(day - lo) / (double)(hi - lo) * (TL_R - TL_L);
}

/* One row per service with a lifecycle milestone (end_of_support,
 * end_of_extended_support, end_of_life: DESIGN §5.9), earliest first: a
 * line from its first milestone to its last in the decision's colour, a
 * marker per milestone, and a line for today (the run's date, --today). */
static void emit_lifecycle(Page *pg)
{
    FILE *out = pg->out;
    Compilation *c = pg->c;
    const char *names[3] = {"end_of_support", "end_of_extended_support", "end_of_life"};
    const char *shown[3] = {"end of support", "end of extended support", "end of life"};
    int slots[3];
    bool any_slot = false;
    for (int k = 0; k < 3; k++) {
        slots[k] = attr_slot(pg->svc, intern_cstr(c, names[k]));
        if (slots[k] >= 0 && pg->svc->attrs[slots[k]].type.kind != T_DATE)
            slots[k] = -1;
        any_slot |= slots[k] >= 0;
    }
    if (!any_slot)
        return;      /* no service can have milestones: no section */
    uint32_t n = pg->res->nservices;
    Milestones *ms = ARENA_ARRAY(&c->arena, Milestones, n ? n : 1);
    uint32_t nm = 0;
    int32_t today = pg->p->today, lo = today, hi = today;
    for (uint32_t r = 0; r < n; r++) {
        Milestones m = {.row = r, .first = INT32_MAX, .last = INT32_MIN};
        for (int k = 0; k < 3; k++) {
            m.at[k] = slots[k] >= 0 ? col_i32(pg->svc, slots[k], r) : INT32_MIN;
            if (m.at[k] == INT32_MIN)
                continue;
            m.first = m.at[k] < m.first ? m.at[k] : m.first;
            m.last = m.at[k] > m.last ? m.at[k] : m.last;
        }
        if (m.last == INT32_MIN)
            continue;
        ms[nm++] = m;
    }
    if (!nm)
        return;      /* nothing to draw: no section */
    fputs("<section id=\"lifecycle\">\n<h2>Lifecycle</h2>\n", out);
    qsort(ms, nm, sizeof *ms, milestones_cmp);
    uint32_t rows = nm < MAX_TIMELINE ? nm : MAX_TIMELINE;
    for (uint32_t i = 0; i < rows; i++) {
        lo = ms[i].first < lo ? ms[i].first : lo;
        hi = ms[i].last > hi ? ms[i].last : hi;
    }
    /* whole years, the first before lo, the last after hi */
    int y0, y1;
    unsigned mo, d;
    civil_from_days(lo, &y0, &mo, &d);
    civil_from_days(hi, &y1, &mo, &d);
    y1++;
    lo = days_from_civil(y0, 1, 1);
    hi = days_from_civil(y1, 1, 1);
    int step = y1 - y0 <= 12 ? 1 : y1 - y0 <= 30 ? 5 : 10;
    int height = TL_TOP + (int)rows * TL_ROW + 30;
    char b1[48], b2[48];
    fprintf(out, "<figure>\n<svg class=\"timeline\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-labelledby=\"tl-title\">\n<title id=\"tl-title\">lifecycle milestones "
                 "of %u service%s, today %s</title>\n",
            TL_W, height, nm, nm == 1 ? "" : "s", iso_date(b1, sizeof b1, today));
    fputs("<g stroke=\"#dedede\" stroke-width=\"1\" font-size=\"12\">\n", out);
    for (int y = y0; y <= y1; y += step) {
        double x = tl_x(lo, hi, days_from_civil(y, 1, 1));
        fprintf(out, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"/>"
                     "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\">%d</text>\n",
                fixed(b1, sizeof b1, x, 1), TL_TOP - 6, b1, height - 24, b1, TL_TOP - 12, y);
    }
    fputs("</g>\n", out);
    for (uint32_t i = 0; i < rows; i++) {
        const Milestones *m = &ms[i];
        int d_ = decision_of(pg->res, m->row);
        Style st = style_of(d_);
        double y = TL_TOP + (double)i * TL_ROW + TL_ROW / 2.0;
        fputs("<g><title>", out);
        esc(out, pg->svc->names[m->row]);
        fprintf(out, " — %s", decision_label(pg->p, d_));
        for (int k = 0; k < 3; k++)
            if (m->at[k] != INT32_MIN)
                fprintf(out, "\n%s %s", shown[k], iso_date(b1, sizeof b1, m->at[k]));
        fputs("</title>\n<text x=\"", out);
        fprintf(out, "%d\" y=\"%s\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                     "font-size=\"12\">",
                TL_L - 8, fixed(b1, sizeof b1, y, 1));
        esc(out, pg->svc->names[m->row]);
        fputs("</text>\n", out);
        fprintf(out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" "
                     "stroke-width=\"6\" stroke-linecap=\"round\"/>\n",
                fixed(b1, sizeof b1, tl_x(lo, hi, m->first), 1), fixed(b2, sizeof b2, y, 1),
                fixed(b1 + 24, sizeof b1 - 24, tl_x(lo, hi, m->last), 1), b2, st.fill);
        for (int k = 0; k < 3; k++) {
            if (m->at[k] == INT32_MIN)
                continue;
            double x = tl_x(lo, hi, m->at[k]);
            const char *col = m->at[k] < today ? "#b00020" : st.stroke;
            if (k == 0)
                fprintf(out, "<circle cx=\"%s\" cy=\"%s\" r=\"5\" fill=\"#ffffff\" "
                             "stroke=\"%s\" stroke-width=\"2\"/>\n",
                        fixed(b1, sizeof b1, x, 1), fixed(b2, sizeof b2, y, 1), col);
            else if (k == 1)
                fprintf(out, "<path d=\"M%s %sl6 6l-6 6l-6 -6z\" fill=\"#ffffff\" "
                             "stroke=\"%s\" stroke-width=\"2\"/>\n",
                        fixed(b1, sizeof b1, x, 1), fixed(b2, sizeof b2, y - 6, 1), col);
            else
                fprintf(out, "<rect x=\"%s\" y=\"%s\" width=\"10\" height=\"10\" "
                             "fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                        fixed(b1, sizeof b1, x - 5, 1), fixed(b2, sizeof b2, y - 5, 1), col,
                        col);
        }
        fputs("</g>\n", out);
    }
    double tx = tl_x(lo, hi, today);
    fprintf(out, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#b00020\" "
                 "stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n"
                 "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" "
                 "font-weight=\"600\" style=\"fill:#b00020\">today %s</text>\n",
            fixed(b1, sizeof b1, tx, 1), TL_TOP - 4, b1, height - 22, b1, height - 6,
            iso_date(b2, sizeof b2, today));
    fputs("</svg>\n<figcaption>One row per service with a lifecycle milestone, the "
          "earliest first; the bar runs from its first milestone to its last, in the "
          "colour of its decision. Marks: ○ end of support, ◇ end of extended support, "
          "■ end of life; a mark in red has passed. The dashed line is today", out);
    fprintf(out, " (%s; <code>--today</code> pins it).", iso_date(b1, sizeof b1, today));
    if (nm > rows)
        fprintf(out, " The first %u of %u services are drawn.", rows, nm);
    fputs("</figcaption>\n</figure>\n</section>\n", out);
}

/* ---- table and explanations ---------------------------------------- */

/* The text of `strat explain` for one service, escaped into out.  An
 * allocation failure inside lands here first, to free the stream's
 * buffer, and is then passed on to the library's entry point. */
static bool emit_explanation(Page *pg, uint32_t row)
{
    Compilation *c = pg->c;
    /* in the arena, not on the stack: its value must survive a longjmp */
    struct { char *buf; size_t len; FILE *ms; } *m = arena_zalloc(&c->arena, sizeof *m);
    m->ms = open_memstream(&m->buf, &m->len);
    if (!m->ms)
        return false;
    jmp_buf here;
    jmp_buf *outer = c->arena.oom_jump;
    c->arena.oom_jump = &here;
    if (setjmp(here)) {
        c->arena.oom_jump = outer;
        fclose(m->ms);
        free(m->buf);
        longjmp(*outer, 1);
    }
    strat_status st = explain_service(c, m->ms, pg->svc->names[row]);
    c->arena.oom_jump = outer;
    bool ok = fclose(m->ms) == 0 && m->buf;
    if (ok && st == STRAT_OK) {
        fputs("<pre>", pg->out);
        esc_n(pg->out, m->buf, m->len);
        fputs("</pre>", pg->out);
    }
    free(m->buf);
    return ok && st == STRAT_OK;
}

/* The text of a role/team reference or a string attribute of row, or
 * NULL when it is not set (or the attribute is missing). */
static const char *attr_text(const Page *pg, int slot, uint32_t row)
{
    if (slot < 0)
        return NULL;
    const AttrDef *a = &pg->svc->attrs[slot];
    int32_t v = col_i32(pg->svc, slot, row);
    if (a->type.kind == T_ENTITY) {
        EntityKind k = EK_SERVICE;
        v = ref_decode(a->type.kinds, v, &k);
        return v >= 0 ? entity_label(pg->c, k, v) : NULL;
    }
    if (a->type.kind == T_STRING || a->type.kind == T_SYMBOL)
        return v >= 0 ? atom_name(pg->c, v) : NULL;
    return NULL;
}

/* The ranked table, made to fit the page: a fixed layout whose columns
 * share the width (long names wrap, long titles end in an ellipsis with
 * the whole title in a tooltip), the chart's two scores (every score is
 * in the explanation), and each row's explanation on demand. */
static void emit_table(Page *pg)
{
    FILE *out = pg->out;
    Compilation *c = pg->c;
    const Results *res = pg->res;
    const Program *p = pg->p;
    /* the named tables after the first: their outcome and because */
    uint32_t nextra = p->tables.len > 1 ? p->tables.len - 1 : 0;
    const double *axes[2] = {pg->xv, pg->yv};
    const char *axis_names[2] = {pg->xn, pg->yn};
    uint32_t naxes = (pg->xv != NULL) + (pg->yv != NULL);
    uint32_t ncols = 7 + naxes + 2 * nextra;
    uint32_t nexplain = res->nservices < MAX_EXPLAIN ? res->nservices : MAX_EXPLAIN;
    fputs("<section id=\"decisions\">\n<h2>Decisions, ranked</h2>\n", out);
    if (res->nservices > MAX_EXPLAIN)
        fprintf(out, "<p class=\"note\">Explanations are included for the first %u ranked "
                     "services of %u; run <code>strat explain FILES... SERVICE</code> "
                     "for the others.</p>\n",
                MAX_EXPLAIN, res->nservices);
    else
        fputs("<p class=\"note\">Open “why” under a row for the full explanation: every "
              "score with the inputs it read, every arm tried, and the smallest change "
              "that would flip the decision.</p>\n", out);
    fputs("<div class=\"controls\" id=\"controls\" hidden>"
          "<label>Filter <input id=\"filter\" type=\"search\" "
          "placeholder=\"service, owner or decision\"></label>"
          "<button type=\"button\" id=\"open-all\">Open all explanations</button>"
          "<button type=\"button\" id=\"close-all\">Close all</button>"
          "<span id=\"shown\" class=\"note\"></span></div>\n", out);
    /* column widths: the fixed ones in em, the text ones share the rest */
    fputs("<div class=\"tablewrap\">\n<table class=\"ranked\" id=\"ranked\">\n<colgroup>"
          "<col style=\"width:3.4em\"><col style=\"width:17%\"><col style=\"width:9%\">"
          "<col style=\"width:6.5em\"><col style=\"width:8.5em\"><col>", out);
    for (uint32_t t = 1; t <= nextra; t++)
        fputs("<col style=\"width:8.5em\"><col>", out);
    for (uint32_t s = 0; s < naxes; s++)
        fputs("<col style=\"width:5.6em\">", out);
    fputs("<col style=\"width:8%\"></colgroup>\n<thead><tr>"
          "<th class=\"num\">rank</th><th>service</th><th>owner</th><th class=\"num\">cost",
          out);
    if (pg->currency) {
        fputs(" (", out);
        esc(out, pg->currency);
        fputc(')', out);
    }
    fputs("</th><th>", out);
    const DecideTable *t0 = p->tables.len ? program_table(p, 0) : NULL;
    esc(out, t0 && t0->name ? t0->name : "decision");
    fputs("</th><th>because</th>", out);
    for (uint32_t t = 1; t <= nextra; t++) {
        fputs("<th>", out);
        esc_wbr(out, program_table(p, t)->name, '_');
        fputs("</th><th>", out);
        esc_wbr(out, table_heading(c, program_table(p, t), "because"), '_');
        fputs("</th>", out);
    }
    for (uint32_t s = 0; s < 2; s++) {
        if (!axes[s])
            continue;
        fprintf(out, "<th class=\"num axis\" title=\"on the chart's %s axis; every score is in "
                     "the explanation\">",
                s ? "y" : "x");
        esc_wbr(out, axis_names[s], '_');
        fputs("</th>", out);
    }
    fputs("<th>approver</th></tr></thead>\n", out);
    char b[96];
    for (uint32_t i = 0; i < res->nservices; i++) {
        uint32_t r = result_row_at(res, i);
        int d = decision_of(res, r);
        const Arm *a = arm_at(p, res->arm[r]);
        const char *name = pg->svc->names[r];
        const char *title = attr_text(pg, pg->title_slot, r);
        const char *owner = attr_text(pg, pg->owner_slot, r);
        /* one tbody per service: its row and its explanation, so the
         * filter hides both and the stripes follow services */
        fprintf(out, "<tbody id=\"s%u\" data-key=\"", i + 1);
        const char *keys[2] = {name, owner};
        for (int k = 0; k < 2; k++)
            for (const char *q = keys[k]; q && *q; q++) {
                if (k && q == keys[k])
                    fputc(' ', out);
                char ch = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
                esc_n(out, &ch, 1);
            }
        fprintf(out, " %s\">\n<tr><td class=\"num\">%u</td><td class=\"svc\"><b>",
                decision_label(p, d), result_rank(res, r));
        esc_wbr(out, name, '_');
        fputs("</b>", out);
        if (title) {
            fputs("<span class=\"title\" title=\"", out);
            esc(out, title);
            fputs("\">", out);
            esc(out, title);
            fputs("</span>", out);
        }
        fputs("</td><td class=\"owner\">", out);
        if (owner)
            esc_wbr(out, owner, '_');
        fputs("</td><td class=\"num\">", out);
        double cost = cost_of(pg, r);
        if (isfinite(cost))
            fprintf(out, "<span title=\"%s\">%s</span>", format_double(b, sizeof b, cost),
                    compact(b + 48, sizeof b - 48, cost));
        fputs("</td><td", out);
        if (a) {
            Source *src = source_get(c, a->loc.file);
            LineCol lc = source_linecol(c, a->loc.file, a->loc.start);
            fputs(" title=\"arm at ", out);
            esc(out, src ? src->path : "?");
            fprintf(out, ":%u\"", lc.line);
        }
        fputc('>', out);
        pill(out, p, d);
        fputs("</td><td class=\"because\">", out);
        const char *because = result_because(p, res, 0, r);
        if (because)
            esc(out, because);
        fputs("</td>", out);
        for (uint32_t t = 1; t <= nextra; t++) {
            fputs("<td>", out);
            pill(out, p, table_decision_of(res, t, r));
            fputs("</td><td class=\"because\">", out);
            const char *tb = result_because(p, res, t, r);
            if (tb)
                esc(out, tb);
            fputs("</td>", out);
        }
        for (uint32_t s = 0; s < 2; s++)
            if (axes[s])
                fprintf(out, "<td class=\"num\">%s</td>", score_text(b, sizeof b, axes[s][r]));
        fputs("<td class=\"owner\">", out);
        esc(out, result_approvers(res, r));
        fputs("</td></tr>\n", out);
        if (i < nexplain) {
            fprintf(out, "<tr class=\"why\"><td></td><td colspan=\"%u\"><details>"
                         "<summary>why ",
                    ncols - 1);
            esc(out, name);
            fputs(res->failed[r] ? " has no decision" : " is ", out);
            if (!res->failed[r])
                fputs(decision_label(p, d), out);
            fputs("</summary>", out);
            if (!emit_explanation(pg, r))
                fputs("<p class=\"note\">No explanation could be made for this "
                      "service.</p>", out);
            fputs("</details></td></tr>\n", out);
        }
        fputs("</tbody>\n", out);
    }
    fputs("</table>\n</div>\n</section>\n", out);
}

/* The values of one axis per service: the report block's expression e,
 * evaluated by the interpreter with `s` bound to each service (a NaN
 * where it has no number), else score `score`'s column; NULL when there
 * is neither.  *name: what the page calls the axis. */
static const double *axis_values(Page *pg, Expr *e, int score, const char **name)
{
    uint32_t n = pg->res->nservices;
    if (!e && score < 0)
        return NULL;
    double *v = ARENA_ARRAY(&pg->c->arena, double, n ? n : 1);
    if (!e) {
        for (uint32_t r = 0; r < n; r++)
            v[r] = score_at(pg->res, score, r);
        *name = score_name(pg->p, score);
        return v;
    }
    Eval ev;
    eval_init(&ev, pg->c);
    ev.res = (Results *)pg->res;
    eval_memo_begin(&ev);
    for (uint32_t r = 0; r < n; r++) {
        ev.locals[0] = (int32_t)r;
        ev.local_kinds[0] = EK_SERVICE;
        ev.current = (int32_t)r;
        Value x = eval_expr(&ev, e);
        v[r] = x.kind == T_NUMBER ? x.num : NAN;
    }
    eval_memo_end(&ev);
    *name = expr_text(pg->c, e);
    return v;
}

/* The default axes of a strategy decided by std/time's TIME table, when it
 * has no `value` and `health` scores: technical fit across, functional fit
 * up, so the four TIME quadrants sit where Gartner draws them (tolerate
 * lower right, invest upper right, migrate upper left, eliminate lower
 * left). */
static void time_axes(Page *pg, int ns)
{
    Compilation *c = pg->c;
    int vi = score_index(pg->p, "value"), hi = score_index(pg->p, "health");
    int ti = score_index(pg->p, "technical"), fi = score_index(pg->p, "functional");
    if ((vi >= 0 && hi >= 0) || ti < 0 || fi < 0 || ti >= ns || fi >= ns ||
        !program_table_named(c, intern_cstr(c, "time")))
        return;
    pg->xi = ti;
    pg->yi = fi;
}

/* The demand forecasts (demand.c), when the strategy loads a history: per
 * service its method, last period and quantity, the forecasts one and
 * three periods on, and a sparkline of the history (solid) and the next
 * three forecasts (dashed).  At most 300 rows, in the file's order. */
static void emit_forecasts(Page *pg)
{
    Compilation *c = pg->c;
    const Demand *dm = pg->p->demand;
    FILE *out = pg->out;
    if (!dm || !dm->nhistories)
        return;
    enum { HORIZON = 3, MAX_ROWS = 300 };
    char b1[64], b2[64], b3[64];
    fputs("<section id=\"forecasts\">\n<h2>Demand forecasts</h2>\n"
          "<div class=\"tablewrap\"><table class=\"forecasts\">\n<thead><tr>"
          "<th>service</th><th>method</th><th>last period</th><th class=\"num\">last</th>"
          "<th class=\"num\">next</th><th class=\"num\">in 3</th><th>history and forecast</th>"
          "</tr></thead>\n<tbody>\n", out);
    uint32_t shown = dm->nhistories < MAX_ROWS ? dm->nhistories : MAX_ROWS;
    for (uint32_t i = 0; i < shown; i++) {
        const DemandHistory *h = &dm->histories[i];
        if (h->service < 0 || !h->n)
            continue;
        fputs("<tr><td>", out);
        esc(out, entity_label(c, EK_SERVICE, h->service));
        fputs("</td><td class=\"mono\">", out);
        esc(out, demand_method_text(c, &h->method));
        fputs("</td><td>", out);
        esc(out, demand_period_text(c, dm->every, h->first_period + (int32_t)h->n - 1));
        fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                "<td class=\"num\">%s</td><td>",
                num_money(b1, sizeof b1, h->y[h->n - 1], NULL),
                num_money(b2, sizeof b2, demand_forecast(dm, h->service, 1), NULL),
                num_money(b3, sizeof b3, demand_forecast(dm, h->service, HORIZON), NULL));
        demand_sparkline_svg(dm, h->service, HORIZON, out);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
    if (shown < dm->nhistories)
        fprintf(out, "<p class=\"note\">The first %u of %u services with a history; "
                "<code>strat forecast</code> lists them all.</p>\n", shown, dm->nhistories);
    else
        fputs("<p class=\"note\">A forecast the history is too short for is "
              "<code>nan</code>; <code>strat forecast</code> gives each method's back-test "
              "error.</p>\n", out);
    fputs("</section>\n", out);
}

/* Show-back (showback.c), when the strategy uses it: customer x service,
 * the unallocated lines, the reconciliation. */
static void emit_showback(Page *pg)
{
    showback_emit_html(pg->c, pg->out);
}

/* The report's sections, in page order, each a function writing one
 * <section> (or nothing, when the strategy has none of what it shows). */
typedef void SectionFn(Page *pg);
static SectionFn *const SECTIONS[] = {
    emit_summary,
    emit_findings,
    emit_chart,
    emit_showback,
    emit_forecasts,
    emit_lifecycle,
    emit_table,
};

void emit_html(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    Page pg = {.c = c, .res = res, .p = p, .svc = kind_table(c, EK_SERVICE), .out = out};
    pg.cost_slot = attr_slot(pg.svc, c->n.cost);
    if (pg.cost_slot >= 0 && pg.svc->attrs[pg.cost_slot].type.kind != T_NUMBER)
        pg.cost_slot = -1;
    pg.currency = p->strategy.currency;
    pg.title_slot = attr_slot(pg.svc, c->n.title);
    pg.owner_slot = attr_slot(pg.svc, c->n.owner);
    /* x: `value`, else the first score; y: `health`, else the second
     * score, else the first one that is not x */
    int ns = (int)(res->nscores < p->scores.len ? res->nscores : p->scores.len);
    pg.xi = score_index(p, "value");
    if (pg.xi < 0 || pg.xi >= ns)
        pg.xi = ns > 0 ? 0 : -1;
    pg.yi = score_index(p, "health");
    if (pg.yi < 0 || pg.yi >= ns || pg.yi == pg.xi) {
        pg.yi = -1;
        if (ns > 1 && pg.xi != 1)
            pg.yi = 1;
        else if (ns > 1)
            pg.yi = 0;
    }
    if (pg.yi == pg.xi)
        pg.yi = -1;
    time_axes(&pg, ns);
    ReportSpec spec = report_spec(c);
    pg.title = spec.title;
    pg.xv = axis_values(&pg, spec.x, pg.xi, &pg.xn);
    pg.yv = axis_values(&pg, spec.y, pg.yi, &pg.yn);
    pg.sv = spec.size ? axis_values(&pg, spec.size, -1, &pg.sn) : NULL;

    emit_header(&pg);
    fputs("<main>\n", out);
    for (size_t i = 0; i < sizeof SECTIONS / sizeof *SECTIONS; i++)
        SECTIONS[i](&pg);
    fputs("</main>\n<footer>Made by strat " STRAT_VERSION " from the inputs with SHA-256 ",
          out);
    esc(out, inputs_sha256(c));
    fputs(". Self-contained: nothing on this page is fetched from a network.</footer>\n"
          "<script>\n", out);
    fputs(SCRIPT, out);
    fputs("</script>\n</body>\n</html>\n", out);
}
