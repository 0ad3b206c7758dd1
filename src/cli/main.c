/*
 * main.c — the `strat` command line: argument parsing, the command table,
 * and the exit codes (0 clean, 1 findings, 2 usage or I/O failure).
 * Everything else is in libstrat; a command here only wires options to
 * library calls and chooses where output goes.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

static const char *const main_usage =
    "usage: strat COMMAND [OPTIONS] FILES...\n"
    "\n"
    "IT service strategy as code: check a strategy, and decide its portfolio.\n"
    "\n"
    "commands:\n"
    "  check [FILES...]        diagnostics only (exit 0 clean, 1 errors, 2 failure);\n"
    "                          no FILES: every file with a strategy block under .\n"
    "  decide FILES...         portfolio decisions: table, json, csv, md, html, summary\n"
    "  explain FILES... SVC    why SVC got its decision, and what would flip it\n"
    "  test FILES...           run the strategy's test blocks\n"
    "  fmt FILES...            canonical formatting in place (--check: diff, exit 1)\n"
    "  fix FILES...            apply the diagnostics' safe fixes in place (--diff: preview)\n"
    "  diff OLD... -- NEW...   decisions that changed between two versions, and why\n"
    "  graph FILES...          services, dependencies and value streams as DOT\n"
    "  sensitivity FILES...    Monte-Carlo over inputs and weights: knife-edge decisions\n"
    "  sql FILES...            the scores and decisions as one SQL query (--dialect)\n"
    "  showback FILES...       show-back and charge-back: costs to customers, reconciled\n"
    "  forecast FILES...       each service's demand forecast and its back-test error\n"
    "  lsp                     the language server, for editors (LSP on stdin/stdout)\n"
    "\n"
    "Run `strat COMMAND --help` for a command's options; `man strat` for more.\n"
    "options: --help, --version\n";

static const char *const common_help =
    "common options:\n"
    "  --today YYYY-MM-DD     the date waivers, today() and end of life are judged\n"
    "                         against (default: today, UTC)\n"
    "  --root DIR             project root that no file read may leave (default:\n"
    "                         the deepest directory holding the files named)\n"
    "  --stdlib DIR           where std/... modules live (env STRAT_STDLIB)\n"
    "  --werror               warnings count as findings (exit 1)\n"
    "  --allow CHECK          drop the diagnostics of CHECK (a name such as\n"
    "                         orphan_service, or a code such as S0707)\n"
    "  --warn CHECK           keep CHECK a warning (over the file's lint block)\n"
    "  --deny CHECK           make CHECK an error (exit 1); errors cannot be set\n"
    "  --max-errors N         print at most N diagnostics (default 500)\n"
    "  --threads N            threads for CSV loading and scoring (default: one per core)\n"
    "  --color WHEN           auto, always or never (diagnostics on stderr)\n"
    "  -q, --quiet            print nothing but diagnostics (and test's last line)\n"
    "  -v, --verbose          stage times, JIT and CSV notes on stderr\n"
    "  -h, --help             this help\n";

typedef struct Command {
    const char *name;
    int (*run)(CliOptions *o);
    const char *usage;
    const char *formats;      /* allowed --format values, NULL: none */
} Command;

static const Command commands[] = {
    {"check", cmd_check,
     "usage: strat check [OPTIONS] [FILES...]\n\n"
     "Loads the strategy (following imports), resolves every name and runs every\n"
     "check; prints diagnostics.  Exit 0 when clean (warnings allowed), 1 when\n"
     "errors were found (or warnings, with --werror), 2 on usage or I/O failure.\n"
     "A file with no strategy block is checked as part of the entry files (files\n"
     "with one) that import it, looked for under --root, the nearest directory\n"
     "holding .git, or the current directory.  With no FILES: every entry file\n"
     "under the current directory, each on its own; the exit is the worst.  Clean\n"
     "and at a terminal, one line on stdout says so.\n\n"
     "  --format FMT           text (default, on stderr), json, sarif or github\n"
     "                         (on stdout, or to -o FILE)\n"
     "  -o FILE                write the json/sarif/github report to FILE atomically\n",
     "text,json,sarif,github"},
    {"decide", cmd_decide,
     "usage: strat decide [OPTIONS] FILES...\n\n"
     "Scores every service and applies the decide table: one row per service with\n"
     "its rank, decision, the arm that fired, the reason, every score and the\n"
     "approver.  Output carries a SHA-256 of the input files.\n\n"
     "  --format FMT           table (default), json, csv, md, html (a self-contained\n"
     "                         report), or summary (counts per decision)\n"
     "  -o FILE                write to FILE atomically instead of stdout\n"
     "  --scenario NAME        apply a what-if scenario before scoring\n"
     "  --scores NAME,...|all  the scores to write (default: the strategy's own and\n"
     "                         those something reads; a std/... import's others are\n"
     "                         neither computed nor written unless named or `all`)\n"
     "  --columns NAME,...     with --format csv, the columns to write, in this\n"
     "                         order, named as the header names them (rank, service,\n"
     "                         decision, arm, because, a written score, approver)\n"
     "  --jit WHEN             auto, on or off (see docs/performance.md)\n"
     "  --no-cache             do not use or write the compiled-code cache\n",
     "table,json,csv,md,html,summary"},
    {"explain", cmd_explain,
     "usage: strat explain [OPTIONS] FILES... SERVICE\n\n"
     "Shows why SERVICE got its decision: each score with the inputs it read,\n"
     "each arm tried with its condition's value, and the smallest change of one\n"
     "input that would flip the decision.\n\n"
     "  --scenario NAME        apply a what-if scenario first\n"
     "  --table NAME           explain the outcome of the named decide table\n"
     "  --jit WHEN             auto, on or off: how the portfolio is decided first\n"
     "                         (the explanation is the same either way)\n"
     "  --no-cache             do not use or write the compiled-code cache\n",
     NULL},
    {"test", cmd_test,
     "usage: strat test [OPTIONS] FILES...\n\n"
     "Runs every test block; each failed expectation is shown with the expected\n"
     "and actual values.  The last line is `N passed, M failed`; exit 1 on any\n"
     "failure.\n\n"
     "  --scenario NAME        apply a what-if scenario first\n",
     NULL},
    {"fmt", cmd_fmt,
     "usage: strat fmt [OPTIONS] FILES...\n\n"
     "Rewrites each file in the one canonical layout (indentation, aligned `=`\n"
     "in a block, one attribute a line, normalised numbers and spacing),\n"
     "keeping comments where they were.  Files are replaced atomically.  `-`\n"
     "reads standard input and writes standard output (for editors).\n\n"
     "  --check                change nothing: print a unified diff of what would\n"
     "                         change and exit 1 if anything would\n"
     "  --width N              the line width to fit in (default 100)\n",
     NULL},
    {"fix", cmd_fix,
     "usage: strat fix [OPTIONS] FILES...\n\n"
     "Checks the strategy like `strat check` and applies, in place and atomically,\n"
     "every machine-applicable fix its diagnostics carry (a misspelt name with one\n"
     "close match, `to` for `..`, a missing brace, ...), then checks again and\n"
     "prints what is left.  Fixes that overlap one already applied are skipped:\n"
     "run it again.  Files of the stdlib are never changed.  Exit 0 when the\n"
     "result is clean, 1 when problems remain, 2 on usage or I/O failure.\n\n"
     "  --diff                 change nothing: print a unified diff of the fixes\n"
     "                         and exit 1 if there is any\n",
     NULL},
    {"diff", cmd_diff,
     "usage: strat diff [OPTIONS] OLD_FILES... -- NEW_FILES...\n\n"
     "Decides both versions and lists the services added, removed, or moved from\n"
     "one decision to another, each with its cause: the attribute, score, arm,\n"
     "weight or threshold that changed, and by how much.  Exit 0 when no decision\n"
     "changed, 1 when some did.\n\n"
     "  --format FMT           text (default) or md (for a pull-request comment)\n"
     "  --table NAME           compare the outcomes of the named decide table\n"
     "                         (default: the first table)\n",
     "text,md"},
    {"graph", cmd_graph,
     "usage: strat graph [OPTIONS] FILES...\n\n"
     "Services and their dependencies, grouped by value stream and coloured by\n"
     "decision.\n\n"
     "  --format FMT           dot (default, for Graphviz) or mermaid\n"
     "  -o FILE                write to FILE atomically\n"
     "  --table NAME           colour by the outcomes of the named decide table\n",
     "dot,mermaid"},
    {"sensitivity", cmd_sensitivity,
     "usage: strat sensitivity [OPTIONS] FILES...\n\n"
     "Which decisions are knife-edge: a Monte-Carlo over the inputs.  Each run\n"
     "perturbs every numeric attribute of every service (by up to SPREAD of its\n"
     "schema range when it has one, else by up to SPREAD of its value) and every\n"
     "objective weight, then re-decides the portfolio.  Lists each service whose\n"
     "decision changed in some run: how often, and into what.  The same seed\n"
     "gives the same output.\n\n"
     "  --table NAME           study the outcomes of the named decide table\n"
     "                         (default: the first table)\n"
     "  --runs N               Monte-Carlo runs (default 200)\n"
     "  --spread P             largest perturbation, percent (default 10)\n"
     "  --seed N               seed of the draws (default 0)\n"
     "  --knife-edge P         call a decision knife-edge when it changes in at\n"
     "                         least P percent of runs (default 10)\n"
     "  --format FMT           table (default), json or csv\n"
     "  -o FILE                write to FILE atomically\n"
     "  --scenario NAME        apply a what-if scenario first\n"
     "  --jit WHEN             auto, on or off: the runs are scored like `decide`\n"
     "  --no-cache             do not use or write the compiled-code cache\n",
     "table,json,csv"},
    {"sql", cmd_sql,
     "usage: strat sql --dialect postgres|duckdb|spark [OPTIONS] FILES...\n\n"
     "One SQL query that computes, in the engine where the inventory lives, what\n"
     "`strat decide --format csv` prints: per service the rank, decision, arm,\n"
     "because, every score and the approvers, in the same order.  The services\n"
     "the strategy loads from CSV are read from a table whose columns are named\n"
     "as the CSV's header; those declared in .strat files are part of the query.\n"
     "What cannot be translated is an error at its place (S13xx), and no query\n"
     "is written.  See docs/sql.md.\n\n"
     "  --dialect D            postgres (also Citus), duckdb or spark (required)\n"
     "  --table NAME           the inventory table (default: the name of the\n"
     "                         loaded CSV file, without .csv)\n"
     "  --view NAME            CREATE OR REPLACE VIEW NAME AS the query\n"
     "  --row-order COLUMN     the table's column numbering its rows in the CSV's\n"
     "                         order, for ties in the rank (default: the engine's\n"
     "                         physical order; PostgreSQL's is not the CSV's)\n"
     "  -o FILE                write to FILE atomically\n",
     NULL},
    {"showback", cmd_showback,
     "usage: strat showback [OPTIONS] FILES...\n\n"
     "Show-back and charge-back: the cost pools allocated to services, then each\n"
     "service's full cost (direct + shared) to the customers that use it, by\n"
     "their usage and the service's charging method.  Per customer and service:\n"
     "quantity, rate, direct, shared, total and share; each customer's total;\n"
     "the unallocated lines; and the reconciliation, to the cent.  See\n"
     "docs/language.md, \"Show-back and charge-back\".\n\n"
     "  --format FMT           table (default), csv, json or md\n"
     "  -o FILE                write to FILE atomically\n",
     "table,csv,json,md"},
    {"forecast", cmd_forecast,
     "usage: strat forecast [OPTIONS] FILES...\n\n"
     "The demand forecasts of the strategy's `load demand` block: per service with\n"
     "a history, its length (periods), first and last period, method, the period\n"
     "forecast and the forecast for it, and the back-test error: the method is fitted\n"
     "without the last HOLDOUT periods, which it then forecasts; their mean absolute\n"
     "error is divided by that of seasonal naive in sample (MASE; the season is m\n"
     "for seasonal_naive(m) and holt_winters, 1 for the other methods).  Below 1 the\n"
     "method beats that benchmark.  `-` when the history is too short for it.\n"
     "Exit 0, 1 when the strategy has findings (the table is still written) or no\n"
     "`load demand` block, 2 on usage or I/O failure or errors that stop it.\n"
     "See docs/language.md, section 12.1.\n\n"
     "  --horizon N            forecast N periods after the last (default 1)\n"
     "  --holdout N            periods held back for the back-test (default 3)\n"
     "  --format FMT           table (default), csv or json\n"
     "  -o FILE                write to FILE atomically\n",
     "table,csv,json"},
    {"lsp", cmd_lsp,
     "usage: strat lsp [OPTIONS]\n\n"
     "The language server: speaks LSP 3.17 (JSON-RPC with Content-Length framing)\n"
     "on standard input and output, for an editor to start.  Checks each open\n"
     "document as you type, with what it imports (unsaved buffers win over the\n"
     "files on disk), and publishes the diagnostics; formats documents; lists\n"
     "their declarations.  Exit 0 after the client's shutdown and exit, else 1.\n"
     "See docs/lsp.md for the editors' configuration.\n\n"
     "  --stdio                accepted and ignored (standard input and output are\n"
     "                         the only transport)\n",
     NULL},
};

static const Command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* The edit distance (insertions, deletions, substitutions and swaps of
 * two neighbours) between a and b, for "did you mean"; stops counting at
 * 9.  Words longer than 63 characters are no one's typo of a command. */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 9;
    unsigned d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] < 9 ? d[la][lb] : 9;
}

/* The candidate closest to word, if close enough to be a typo of it (at
 * most one edit in four characters, and at least one); else NULL. */
static const char *closest_word(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    unsigned best_d = (unsigned)strlen(word) / 4 + 1;
    if (best_d > 3)
        best_d = 3;
    best_d++;
    for (size_t i = 0; i < n; i++) {
        unsigned d = edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "strat%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry `strat %s%s--help`.\n", cmd ? cmd : "", cmd ? " " : "");
    return STRAT_FAILURE;
}

/* --runs, --spread, --seed and --knife-edge of `strat sensitivity`; NULL,
 * or a message with one %s for the option as written. */
static const char *sensitivity_option(const char *a, const char *val,
                                      strat_sensitivity_options *s)
{
    char *end;
    if (strncmp(a, "--runs", 6) == 0) {
        long n = strtol(val, &end, 10);
        if (*val == '\0' || *end || n < 1 || n > 1000000)
            return "%s takes a number of runs from 1 to 1000000";
        s->runs = (unsigned)n;
    } else if (strncmp(a, "--seed", 6) == 0) {
        if (*val == '\0' || *val == '-')
            return "%s takes a whole number";
        errno = 0;
        unsigned long long n = strtoull(val, &end, 10);
        if (*end || errno)
            return "%s takes a whole number";
        s->seed = n;
    } else {
        double p = strtod(val, &end);
        if (*end == '%')
            end++;
        if (end == val || *end || !(p > 0 && p <= 100))
            return "%s takes a percentage above 0 and at most 100";
        if (strncmp(a, "--spread", 8) == 0)
            s->spread = p / 100;
        else
            s->knife_edge = p / 100;
    }
    return NULL;
}

/* A whole number from 1 to max, for --max-errors and --threads. */
static bool count_option(const char *val, long max, unsigned *out)
{
    char *end;
    long n = strtol(val, &end, 10);
    if (*val == '\0' || *end || n < 1 || n > max)
        return false;
    *out = (unsigned)n;
    return true;
}

static bool format_allowed(const Command *cmd, const char *fmt)
{
    if (!cmd->formats)
        return false;
    size_t n = strlen(fmt);
    for (const char *p = cmd->formats; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, fmt, n) == 0)
            return true;
        p += len + (comma ? 1 : 0);
    }
    return false;
}

/* The stdlib next to the binary: <prefix>/share/strat/stdlib when installed,
 * <tree>/stdlib when run from the build directory. */
static const char *find_stdlib(char *buf, size_t size)
{
    const char *env = getenv("STRAT_STDLIB");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"/../share/strat/stdlib", "/../stdlib",
                                              "/../../stdlib"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(buf, size, "%s%s/std/itil.strat", exe, rel[i]);
                if (access(buf, R_OK) == 0) {
                    snprintf(buf, size, "%s%s", exe, rel[i]);
                    return buf;
                }
            }
        }
    }
    return STRAT_STDLIB_DIR;
}

/* SIGHUP, SIGINT, SIGPIPE and SIGTERM remove an output's temporary file
 * before strat dies of them (cli_fatal_signal).  A signal the caller has
 * ignored (nohup, a background job) stays ignored.  SIGBUS, which only a
 * mapped input truncated meanwhile raises, is an I/O error (exit 2). */
static void catch_fatal_signals(void)
{
    static const int sigs[] = CLI_FATAL_SIGNALS;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_fatal_signal;
    sigemptyset(&sa.sa_mask);
    /* one handler at a time: a second signal waits for the first's */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    /* a mapped input file truncated under strat (src/load.c, map_file) */
    sa.sa_handler = cli_bus_error;
    sigaction(SIGBUS, &sa, NULL);
}

int main(int argc, char **argv)
{
    catch_fatal_signals();
    if (argc < 2) {
        fputs(main_usage, stderr);
        return STRAT_FAILURE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc > 2 && find_command(argv[2])) {
            fputs(find_command(argv[2])->usage, stdout);
            fputs(common_help, stdout);
        } else {
            fputs(main_usage, stdout);
        }
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("strat %s\n", STRAT_VERSION);
        return 0;
    }
    const Command *cmd = find_command(argv[1]);
    if (!cmd) {
        const char *names[sizeof commands / sizeof commands[0]];
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            names[i] = commands[i].name;
        const char *near = closest_word(argv[1], names, sizeof names / sizeof names[0]);
        if (near) {
            /* a typo: the fix, not the whole usage */
            fprintf(stderr, "strat: unknown command `%s`; did you mean `%s`?\n"
                            "Try `strat --help`.\n", argv[1], near);
            return STRAT_FAILURE;
        }
        fprintf(stderr, "strat: unknown command `%s`\n\n", argv[1]);
        fputs(main_usage, stderr);
        return STRAT_FAILURE;
    }
    CliOptions o;
    memset(&o, 0, sizeof o);
    o.color = -1;
    char stdlib_buf[PATH_MAX + 64];
    o.lib.stdlib_dir = find_stdlib(stdlib_buf, sizeof stdlib_buf);
    const char **files = calloc((size_t)argc, sizeof *files);
    strat_lint_setting *lint = calloc((size_t)argc, sizeof *lint);
    if (!files || !lint) {
        free(lint);
        fputs("strat: out of memory\n", stderr);
        return STRAT_FAILURE;
    }
    int nfiles = 0, split = -1;
    bool only_files = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        /* --opt=value and --opt value */
#define TAKES(longname)                                                        \
    ((strcmp(a, longname) == 0 && i + 1 < argc && (val = argv[++i])) ||        \
     (strncmp(a, longname "=", sizeof(longname)) == 0 && (val = a + sizeof(longname))))
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            files[nfiles++] = a;
        } else if (strcmp(a, "--") == 0) {
            if (strcmp(cmd->name, "diff") == 0 && !o.files2) {
                /* diff: what follows is the new version */
                o.files2 = files + nfiles;
                split = nfiles;
            } else {
                only_files = true;
            }
        } else if (strcmp(a, "--stdio") == 0 && strcmp(cmd->name, "lsp") == 0) {
            /* what language clients pass to name the transport */
        } else if (strcmp(a, "--check") == 0 && strcmp(cmd->name, "fmt") == 0) {
            o.check_only = true;
        } else if (strcmp(a, "--diff") == 0 && strcmp(cmd->name, "fix") == 0) {
            o.check_only = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(cmd->usage, stdout);
            fputs(common_help, stdout);
            free(files);
            free(lint);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("strat %s\n", STRAT_VERSION);
            free(files);
            free(lint);
            return 0;
        } else if (strcmp(a, "--no-cache") == 0) {
            o.lib.cache_dir = "";
        } else if (strcmp(a, "--werror") == 0) {
            o.lib.werror = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o.quiet = true;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o.lib.verbose = true;
        } else if (TAKES("--format")) {
            if (!format_allowed(cmd, val)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, cmd->formats ? "unknown format `%s`"
                                                           : "--format does not apply "
                                                             "here (`%s`)", val);
            }
            o.format = val;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            o.output = argv[++i];
        } else if (TAKES("--output")) {
            o.output = val;
        } else if (TAKES("--allow") || TAKES("--warn") || TAKES("--deny")) {
            int why = strat_lint_check(val);
            if (why) {
                free(files);
                free(lint);
                return usage_error(cmd->name, why == 1 ? "no check is named `%s` (see "
                                   "docs/diagnostics.md for the names)"
                                   : "`%s` is an error, and errors cannot be allowed, warned "
                                     "or denied", val);
            }
            lint[o.lib.nlint].check = val;
            lint[o.lib.nlint++].level = a[2] == 'a' ? STRAT_LINT_ALLOW
                                        : a[2] == 'w' ? STRAT_LINT_WARN : STRAT_LINT_DENY;
        } else if (TAKES("--today")) {
            if (!strat_valid_date(val)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--today takes an existing date YYYY-MM-DD, not `%s`", val);
            }
            o.lib.today = val;
        } else if (TAKES("--root")) {
            o.lib.project_root = val;
        } else if (TAKES("--stdlib")) {
            o.lib.stdlib_dir = val;
        } else if (TAKES("--scenario")) {
            o.lib.scenario = val;
        } else if (TAKES("--table")) {
            /* Two meanings: the decide table to explain or colour by, and for
             * `strat sql` the name of the inventory table the query reads. */
            if (strcmp(cmd->name, "sql") == 0) {
                o.sql.table = val;
            } else if (strcmp(cmd->name, "explain") != 0 && strcmp(cmd->name, "graph") != 0 &&
                       strcmp(cmd->name, "diff") != 0 &&
                       strcmp(cmd->name, "sensitivity") != 0) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "%s applies to `strat explain`, `diff`, `graph`, "
                                              "`sensitivity` and `sql` only", "--table");
            } else {
                o.lib.table = val;
            }
        } else if (TAKES("--max-errors")) {
            if (!count_option(val, 1000000, &o.lib.max_errors)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--max-errors takes a positive number, "
                                              "not `%s`", val);
            }
        } else if (TAKES("--runs") || TAKES("--spread") || TAKES("--seed") ||
                   TAKES("--knife-edge")) {
            const char *why = strcmp(cmd->name, "sensitivity") != 0
                                  ? "%s applies to `strat sensitivity` only"
                                  : sensitivity_option(a, val, &o.sens);
            if (why) {
                char name[16];
                snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
                free(files);
                free(lint);
                return usage_error(cmd->name, why, name);
            }
        } else if (TAKES("--dialect") || TAKES("--view") || TAKES("--row-order")) {
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
            if (strcmp(cmd->name, "sql") != 0) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "%s applies to `strat sql` only", name);
            }
            *(a[2] == 'd'   ? &o.sql.dialect
              : a[2] == 'v' ? &o.sql.view
                            : &o.sql.row_order) = val;
        } else if (TAKES("--horizon") || TAKES("--holdout")) {
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
            if (strcmp(cmd->name, "forecast") != 0) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "%s applies to `strat forecast` only", name);
            }
            if (!count_option(val, 1000, a[4] == 'r' ? &o.forecast.horizon
                                                     : &o.forecast.holdout)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, a[4] == 'r' ? "--horizon takes a number of "
                                                            "periods from 1 to 1000, not `%s`"
                                                          : "--holdout takes a number of "
                                                            "periods from 1 to 1000, not `%s`",
                                   val);
            }
        } else if (TAKES("--scores") || TAKES("--columns")) {
            bool scores = strncmp(a, "--scores", strlen("--scores")) == 0;   /* (or --scores=) */
            const char *what = scores ? "--scores" : "--columns";
            if (strcmp(cmd->name, "decide") != 0) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "%s applies to `strat decide` only", what);
            }
            /* names separated by commas, none empty (an empty one is a typo) */
            if (!*val || *val == ',' || val[strlen(val) - 1] == ',' || strstr(val, ",,")) {
                free(files);
                free(lint);
                return usage_error(cmd->name, scores ? "--scores takes NAME,... or all, not `%s`"
                                                     : "--columns takes NAME,..., not `%s`",
                                   val);
            }
            *(scores ? &o.lib.scores : &o.lib.columns) = val;
        } else if (TAKES("--width")) {
            if (strcmp(cmd->name, "fmt") != 0) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "%s applies to `strat fmt` only", "--width");
            }
            if (!count_option(val, 10000, &o.lib.fmt_width)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--width takes a number of characters from 1 "
                                              "to 10000, not `%s`", val);
            }
        } else if (TAKES("--threads")) {
            if (!count_option(val, 256, &o.lib.threads)) {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--threads takes a number from 1 to 256, "
                                              "not `%s`", val);
            }
        } else if (TAKES("--jit")) {
            if (strcmp(val, "auto") == 0)
                o.lib.jit = STRAT_JIT_AUTO;
            else if (strcmp(val, "on") == 0)
                o.lib.jit = STRAT_JIT_ON;
            else if (strcmp(val, "off") == 0)
                o.lib.jit = STRAT_JIT_OFF;
            else {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--jit takes auto, on or off, not `%s`", val);
            }
        } else if (TAKES("--color")) {
            if (strcmp(val, "auto") == 0)
                o.color = -1;
            else if (strcmp(val, "always") == 0)
                o.color = 1;
            else if (strcmp(val, "never") == 0)
                o.color = 0;
            else {
                free(files);
                free(lint);
                return usage_error(cmd->name, "--color takes auto, always or never, "
                                              "not `%s`", val);
            }
        } else {
            free(files);
            free(lint);
            return usage_error(cmd->name, "unknown option `%s`", a);
        }
#undef TAKES
    }
    if (strcmp(cmd->name, "explain") == 0) {
        if (nfiles < 2) {
            free(files);
            free(lint);
            return usage_error(cmd->name, "%s", "explain takes FILES... and a SERVICE");
        }
        o.subject = files[--nfiles];
    }
    if (strcmp(cmd->name, "diff") == 0) {
        if (split <= 0 || split >= nfiles) {
            free(files);
            free(lint);
            return usage_error(cmd->name, "%s", "diff takes OLD_FILES... -- NEW_FILES...");
        }
        o.nfiles2 = nfiles - split;
        nfiles = split;
    }
    if (o.lib.columns && !(o.format && strcmp(o.format, "csv") == 0)) {
        free(files);
        free(lint);
        return usage_error(cmd->name, "%s", "--columns applies to --format csv");
    }
    if (strcmp(cmd->name, "lsp") == 0 && nfiles > 0) {
        free(files);
        free(lint);
        return usage_error(cmd->name, "%s", "lsp takes no files (the editor sends them)");
    }
    /* `strat check` alone checks the project (cmd_check.c) */
    if (nfiles == 0 && strcmp(cmd->name, "lsp") != 0 && strcmp(cmd->name, "check") != 0) {
        free(files);
        free(lint);
        return usage_error(cmd->name, "%s", "no input files");
    }
    o.files = files;
    o.nfiles = nfiles;
    o.lib.lint = lint;
    o.lib.progress = !o.quiet && isatty(STDERR_FILENO);
    /* the commands that stamp decisions with the inputs hash */
    /* (a CSV of decisions has no place for it: hashing a large input for
     * it would be CPU taken from the load) */
    o.lib.hash_inputs = (strcmp(cmd->name, "decide") == 0 &&
                         !(o.format && strcmp(o.format, "csv") == 0)) ||
                        strcmp(cmd->name, "diff") == 0;
    /* a testing knob: tiny CSV blocks put a seam between most records */
    const char *block = getenv("STRAT_CSV_BLOCK");
    if (block && atol(block) > 0)
        o.test.csv_block_bytes = (unsigned)atol(block);
    /* and the full reader alone reads every record: the tests' reference */
    const char *records = getenv("STRAT_CSV_RECORDS");
    o.test.csv_whole_records = records && strcmp(records, "1") == 0;
    /* and CSV threads that sleep at once, waking each other every block */
    const char *sleep_at_once = getenv("STRAT_CSV_SLEEP");
    o.test.csv_sleep_at_once = sleep_at_once && strcmp(sleep_at_once, "1") == 0;
    /* and tiny output blocks put one between most rows written */
    const char *rows = getenv("STRAT_OUTPUT_BLOCK");
    if (rows && atol(rows) > 0)
        o.test.output_block_rows = (unsigned)atol(rows);
    /* and a wait after mapping a large input, to truncate it meanwhile */
    const char *pause = getenv("STRAT_TEST_PAUSE_AFTER_MAP");
    if (pause && atol(pause) > 0)
        o.test.pause_after_map_ms = (unsigned)atol(pause);
    int rc = cmd->run(&o);
    free(files);
    free(lint);
    return rc;
}
