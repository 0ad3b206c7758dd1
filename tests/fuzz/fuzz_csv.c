/*
 * fuzz_csv.c — libFuzzer target: the input is a CSV export of services that
 * a fixed small strategy loads (`load service from "in.csv" { key = "id" }`)
 * and then checks, scores and decides.  Reaches the CSV reader, the cell
 * conversions by schema type, and scoring over whatever numbers came in.
 *
 * Each input is loaded twice: by the full reader alone (every record read
 * and checked by read_record), and cut into tiny blocks for worker threads
 * (a seam every few bytes, and the fast path of clean records).  The
 * diagnostics and decisions must be the same bytes; a difference aborts.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char strategy[] =
    "strategy \"fuzz\" {\n"
    "  vision = \"v\"  horizon = 2027-01-01 .. 2027-12-31\n"
    "  currency = \"EUR\"  budget = 1B  run_max = 70%\n"
    "}\n"
    "schema service {\n"
    "  cost : number >= 0 = 0\n"
    "  demand : number >= 0 = 0\n"
    "  csat : number in 0..5 = 3\n"
    "  incidents : number >= 0 = 0\n"
    "  launched : date\n"
    "  pci : bool = false\n"
    "}\n"
    "role cio { title = \"CIO\" }\n"
    "team ops { lead = \"x\" }\n"
    "customer shoppers { title = \"Shoppers\" }\n"
    "objective up {\n"
    "  title = \"t\"  metric = \"m\"  baseline = 1%  target = 2%\n"
    "  due = 2027-12-31  weight = 1  owner = cio\n"
    "}\n"
    "service web {\n"
    "  title = \"Web\"  owner = cio  kind = business  investment = grow\n"
    "  supports = [up]  customers = [shoppers]  cost = 10k  demand = 1M\n"
    "}\n"
    "value_stream sell { delivers = up  stage engage { services = [web] } }\n"
    "score value(s)  = 0.6 * alignment(s) + 0.4 * s.csat / 5\n"
    "score health(s) = clamp(1 - s.incidents / 100, 0, 1)\n"
    "score size(s)   = log(1 + s.demand) / (1 + s.cost)\n"
    "score rel(s)    = norm(s.cost)\n"
    "decide {\n"
    "  invest   when value(s) >= 0.7 and health(s) >= 0.6  because \"good\"\n"
    "  migrate  when health(s) < 0.4\n"
    "  retire   when s.demand < 100 and s.cost > 50k\n"
    "  tolerate otherwise\n"
    "  rank by size(s) desc\n"
    "}\n"
    "load service from \"in.csv\" { key = \"id\" }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    static const char *path;
    if (!path) {
        path = strdup(fuzz_write("main.strat", (const uint8_t *)strategy,
                                 sizeof strategy - 1));
        if (!path)
            abort();
    }
    fuzz_write("in.csv", data, size);
    char *seen[2] = {NULL, NULL};
    for (int pass = 0; pass < 2; pass++) {
        strat_options o = fuzz_options();
        if (pass == 1) {
            o.threads = 2;
        }
        strat_compilation *c = strat_new(NULL, &o);
        if (!c)
            abort();
        if (pass == 0)
            strat_set_test_knobs(c, &(strat_test_knobs){.csv_whole_records = true});
        else
            strat_set_test_knobs(c, &(strat_test_knobs){.csv_block_bytes =
                                                             1 + (unsigned)(size % 23)});
        if (strat_load(c, &path, 1) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
            strat_decide(c);
        if (pass == 0)
            fuzz_emit_all(c, 1);
        size_t len = 0;
        FILE *out = open_memstream(&seen[pass], &len);
        if (!out)
            abort();
        if (!strat_out_of_memory(c)) {
            strat_print_diagnostics(c, out, STRAT_DIAG_JSON, false);
            strat_emit_decisions(c, out, "csv");
        }
        fclose(out);
        strat_free(c);
    }
    if (strcmp(seen[0], seen[1]) != 0) {
        fprintf(stderr, "the full and the block CSV readers differ:\n%s\n----\n%s\n",
                seen[0], seen[1]);
        abort();
    }
    free(seen[0]);
    free(seen[1]);
    return 0;
}
