/*
 * embed.c — libstrat embedded in a program: a strategy loaded from memory
 * (it imports std/itil, found in the stdlib directory libstrat was
 * installed with), decided, and each service's decision read through the
 * accessors; the diagnostics through the iterator.  No file is written,
 * nothing is parsed back from text.
 *
 * Build against an installed libstrat:
 *
 *     cc -o embed embed.c $(pkg-config --cflags --libs strat)
 *
 * Usage: embed [--today YYYY-MM-DD] [FILE]   decide FILE's text, or the
 *                                            strategy below ("inline.strat")
 *        embed --source                      print the strategy below
 *
 * Prints `rank,service,decision,arm` for each service, in declaration
 * order (the first columns of `strat decide --format csv`), and the
 * diagnostics on stderr.  Exit status: 0 clean, 1 findings, 2 failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strat/strat.h>

static const char INLINE[] =
    "import \"std/itil\"\n"
    "\n"
    "strategy \"Tiny web shop\" {\n"
    "  vision   = \"Sell garden tools online.\"\n"
    "  horizon  = 2027-01-01 .. 2027-12-31\n"
    "  currency = \"EUR\"\n"
    "  budget   = 1M\n"
    "  run_max  = 70%\n"
    "}\n"
    "\n"
    "role cio { title = \"Chief Information Officer\" }\n"
    "customer shoppers { title = \"Online shoppers\" }\n"
    "\n"
    "objective uptime {\n"
    "  title = \"Keep the shop open\"  metric = \"availability in opening hours\"\n"
    "  baseline = 99%  target = 99.9%  due = 2027-12-31  weight = 1  owner = cio\n"
    "}\n"
    "\n"
    "service web {\n"
    "  title = \"Web shop\"  owner = cio  kind = business  investment = grow  cost = 300k\n"
    "  supports = [uptime]  customers = [shoppers]\n"
    "}\n"
    "\n"
    "service mail {\n"
    "  title = \"Mail\"  owner = cio  kind = supporting  investment = run  cost = 20k\n"
    "  supports = [uptime]\n"
    "}\n"
    "\n"
    "value_stream sell {\n"
    "  delivers = uptime\n"
    "  stage deliver_support { services = [web, mail] }\n"
    "}\n"
    "\n"
    "score weight(s) = s.cost / 1000\n"
    "\n"
    "decide {\n"
    "  invest   when weight(s) > 100 because \"it carries the shop\"\n"
    "  tolerate otherwise\n"
    "}\n";

/* The whole of a file, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            cap = (cap + 4096) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return buf;
}

static void print_diagnostics(strat_compilation *c)
{
    static const char *const severity[] = {"error", "warning", "info", "note"};
    for (size_t i = 0; i < strat_diag_count(c); i++) {
        strat_diag_info d;
        if (!strat_diag_get(c, i, &d))
            break;
        if (d.range.file)
            fprintf(stderr, "%s:%u:%u: ", d.range.file, d.range.start_line,
                    d.range.start_col);
        fprintf(stderr, "%s: %s [%s]\n", severity[d.severity], d.message, d.code);
        if (d.hint)
            fprintf(stderr, "  help: %s\n", d.hint);
    }
}

int main(int argc, char **argv)
{
    const char *today = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--source") == 0) {
            fputs(INLINE, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--today") == 0 && i + 1 < argc)
            today = argv[++i];
        else
            path = argv[i];
    }
    const char *text = INLINE;
    size_t len = sizeof INLINE - 1;
    char *file_text = NULL;
    if (path) {
        file_text = slurp(path, &len);
        if (!file_text) {
            perror(path);
            return 2;
        }
        text = file_text;
    }

    strat_options opts = {0};   /* stdlib_dir NULL: the installed stdlib */
    opts.today = today;
    strat_compilation *c = strat_new(NULL, &opts);
    if (!c)
        return 2;
    strat_status st = strat_load_buffer(c, path ? path : "inline.strat", text, len);
    if (st != STRAT_FAILURE)
        st = strat_decide(c);
    if (strat_decided(c)) {
        puts("rank,service,decision,arm");
        for (size_t i = 0; i < strat_service_count(c); i++) {
            strat_decision d;
            if (!strat_service_decision(c, i, 0, &d))
                continue;
            printf("%u,%s,%s,", d.rank, strat_service_name(c, i), d.outcome);
            if (d.file)
                printf("%s:%u", d.file, d.line);
            putchar('\n');
        }
    }
    print_diagnostics(c);
    int rc = strat_out_of_memory(c) ? 2 : (int)st;
    strat_free(c);
    free(file_text);
    return rc;
}
