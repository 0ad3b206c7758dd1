/*
 * test_api.c — the embedding API of include/strat/strat.h, used as an
 * embedder would: a strategy loaded from memory (strat_load_buffer), its
 * imports from a reader callback, the decisions and scores read through
 * the accessors, the diagnostics through the iterator, outputs through a
 * writer callback, the log through a callback (and nothing on stderr).
 * Each accessor is also asked out of range and before its data exists.
 */
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>

#include "test_util.h"

/* A growing string. */
typedef struct Text {
    char *s;
    size_t len, cap;
} Text;

static void put(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static const char SHOP[] =
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
    "  invest  when weight(s) > 100 because \"it carries the shop\"\n"   /* line 37 */
    "  tolerate otherwise\n"                                            /* line 38 */
    "}\n";

static strat_options api_options(void)
{
    strat_options o = {0};   /* stdlib_dir NULL: the library's default */
    o.today = "2027-01-15";
    o.jit = STRAT_JIT_OFF;
    o.cache_dir = "";
    return o;
}

static size_t score_index(const strat_compilation *c, const char *name)
{
    for (size_t s = 0; s < strat_score_count(c); s++)
        if (strcmp(strat_score_name(c, s), name) == 0)
            return s;
    fail_msg("no score `%s`", name);
    return 0;
}

/* ---- loading from memory, decisions as data -------------------------------- */

static void buffer_importing_std_itil_decides(void **state)
{
    (void)state;
    unsetenv("STRAT_STDLIB");   /* the compiled-in default must do */
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    assert_int_equal(strat_load_buffer(c, "shop.strat", SHOP, strlen(SHOP)), STRAT_OK);
    assert_int_equal(strat_decide(c), STRAT_OK);
    assert_true(strat_decided(c));
    assert_int_equal(strat_diag_count(c), 0);
    assert_int_equal(strat_service_count(c), 2);
    assert_string_equal(strat_service_name(c, 0), "web");
    assert_string_equal(strat_service_name(c, 1), "mail");
    assert_int_equal(strat_table_count(c), 1);
    assert_string_equal(strat_table_name(c, 0), "decide");

    strat_decision d;
    assert_true(strat_service_decision(c, 0, 0, &d));
    assert_string_equal(d.outcome, "invest");
    assert_string_equal(d.file, "shop.strat");
    assert_int_equal(d.line, 37);
    assert_string_equal(d.because, "it carries the shop");
    assert_int_equal(d.rank, 1);
    assert_true(strat_service_decision(c, 1, 0, &d));
    assert_string_equal(d.outcome, "tolerate");
    assert_int_equal(d.line, 38);
    assert_null(d.because);
    assert_int_equal(d.rank, 2);

    size_t w = score_index(c, "weight");
    double v = 0;
    assert_true(strat_service_score(c, 0, w, &v));
    assert_true(v == 300.0);
    assert_true(strat_service_score(c, 1, w, &v));
    assert_true(v == 20.0);
    strat_free(c);
}

/* A named table beside the unnamed one: a second table through the
 * accessors, its because filled in per service, the same through the
 * interpreter and the JIT. */
static void named_table_through_both_engines(void **state)
{
    (void)state;
    unsetenv("STRAT_STDLIB");
    static const char more[] =
        "decide size (big, small) {\n"
        "  big   when s.cost > 100k because \"{s.title} costs {s.cost / 1000}k\"\n"
        "  small otherwise\n"
        "}\n";
    Text t = {0};
    put(&t, "%s%s", SHOP, more);
    for (int jit = 0; jit < 2; jit++) {
        strat_options o = api_options();
        o.jit = jit ? STRAT_JIT_ON : STRAT_JIT_OFF;
        strat_compilation *c = strat_new(NULL, &o);
        assert_non_null(c);
        assert_int_equal(strat_load_buffer(c, "shop.strat", t.s, t.len), STRAT_OK);
        assert_int_equal(strat_decide(c), STRAT_OK);
        assert_int_equal(strat_table_count(c), 2);
        assert_string_equal(strat_table_name(c, 0), "decide");
        assert_string_equal(strat_table_name(c, 1), "size");
        assert_null(strat_table_name(c, 2));
        strat_decision d;
        assert_true(strat_service_decision(c, 0, 1, &d));
        assert_string_equal(d.outcome, "big");
        assert_string_equal(d.because, "Web shop costs 300k");
        assert_int_equal(d.line, 41);
        assert_true(strat_service_decision(c, 1, 1, &d));
        assert_string_equal(d.outcome, "small");
        assert_null(d.because);
        assert_true(strat_service_decision(c, 0, 0, &d));
        assert_string_equal(d.outcome, "invest");
        assert_false(strat_service_decision(c, 0, 2, &d));
        strat_free(c);
    }
    free(t.s);
}

static void accessors_refuse_bad_indices_and_missing_data(void **state)
{
    (void)state;
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_decision d;
    double v = 42;
    /* nothing loaded */
    assert_int_equal(strat_service_count(c), 0);
    assert_null(strat_service_name(c, 0));
    assert_int_equal(strat_table_count(c), 0);
    assert_null(strat_table_name(c, 0));
    assert_int_equal(strat_score_count(c), 0);
    assert_null(strat_score_name(c, 0));
    assert_false(strat_service_decision(c, 0, 0, &d));
    assert_null(d.outcome);
    assert_false(strat_service_score(c, 0, 0, &v));
    /* checked, not decided: names yes, decisions and scores no */
    assert_int_equal(strat_load_buffer(c, "shop.strat", SHOP, strlen(SHOP)), STRAT_OK);
    assert_int_equal(strat_check(c), STRAT_OK);
    assert_int_equal(strat_service_count(c), 2);
    assert_string_equal(strat_service_name(c, 1), "mail");
    assert_false(strat_decided(c));
    assert_false(strat_service_decision(c, 0, 0, &d));
    assert_false(strat_service_score(c, 0, score_index(c, "weight"), &v));
    assert_true(v == 42);
    /* decided: out of range still refused */
    assert_int_equal(strat_decide(c), STRAT_OK);
    assert_true(strat_service_decision(c, 1, 0, &d));
    assert_false(strat_service_decision(c, 2, 0, &d));
    assert_null(d.outcome);
    assert_false(strat_service_decision(c, 0, 1, &d));
    assert_null(strat_service_name(c, 2));
    assert_null(strat_service_name(c, (size_t)-1));
    assert_null(strat_table_name(c, 1));
    assert_null(strat_score_name(c, strat_score_count(c)));
    assert_false(strat_service_score(c, 2, 0, &v));
    assert_false(strat_service_score(c, 0, strat_score_count(c), &v));
    strat_diag_info info;
    assert_false(strat_diag_get(c, 0, &info));
    strat_fixit fix;
    assert_false(strat_diag_fix(c, 0, 0, &fix));
    assert_false(strat_diag_note(c, 0, 0, NULL, NULL));
    strat_free(c);
}

static void no_decide_block_means_no_table(void **state)
{
    (void)state;
    const char *end = strstr(SHOP, "decide {");
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    assert_int_equal(strat_load_buffer(c, "shop.strat", SHOP, (size_t)(end - SHOP)),
                     STRAT_OK);
    strat_decide(c);
    assert_int_equal(strat_service_count(c), 2);
    assert_int_equal(strat_table_count(c), 0);
    strat_decision d;
    assert_false(strat_service_decision(c, 0, 0, &d));
    strat_free(c);
}

static void oversized_buffer_is_refused(void **state)
{
    (void)state;
    strat_compilation *c = strat_new(NULL, NULL);
    /* refused on its length: the text is never read past its start */
    assert_int_equal(strat_load_buffer(c, "big.strat", "x", STRAT_MAX_SOURCE_BYTES + 1),
                     STRAT_FAILURE);
    assert_int_equal(strat_diag_count(c), 1);
    strat_free(c);
}

/* ---- the reader callback ------------------------------------------------------ */

typedef struct Files {
    const char *paths[4];
    const char *texts[4];
    char asked[8][256];
    int nasked;
} Files;

static const char *read_from(void *ctx, const char *path, size_t *len)
{
    Files *f = ctx;
    if (f->nasked < 8)
        snprintf(f->asked[f->nasked++], sizeof f->asked[0], "%s", path);
    for (int i = 0; i < 4 && f->paths[i]; i++)
        if (strcmp(f->paths[i], path) == 0) {
            *len = strlen(f->texts[i]);
            return f->texts[i];
        }
    return NULL;
}

static void reader_supplies_imports(void **state)
{
    (void)state;
    /* the people in another "file", which exists only in memory */
    const char *cut = strstr(SHOP, "role cio");
    const char *people_end = strstr(SHOP, "objective uptime");
    char people[256], main_text[2048];
    snprintf(people, sizeof people, "%.*s", (int)(people_end - cut), cut);
    snprintf(main_text, sizeof main_text, "import \"parts/people\"\n%.*s%s",
             (int)(cut - SHOP), SHOP, people_end);
    Files files = {{"/nonexistent-strat-api/parts/people.strat"}, {people}, {{0}}, 0};
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_reader(c, read_from, &files);
    assert_int_equal(strat_load_buffer(c, "/nonexistent-strat-api/main.strat", main_text,
                                       strlen(main_text)),
                     STRAT_OK);
    assert_int_equal(files.nasked, 1);
    assert_string_equal(files.asked[0], "/nonexistent-strat-api/parts/people.strat");
    assert_int_equal(strat_decide(c), STRAT_OK);
    assert_int_equal(strat_service_count(c), 2);
    strat_decision d;
    assert_true(strat_service_decision(c, 0, 0, &d));
    assert_string_equal(d.outcome, "invest");
    /* the files read: the buffer, the reader's, the stdlib's */
    assert_int_equal(strat_file_count(c), 3);
    strat_file f;
    assert_true(strat_file_get(c, 0, &f));
    assert_string_equal(f.real_path, "/nonexistent-strat-api/main.strat");
    assert_int_equal(f.len, strlen(main_text));
    assert_memory_equal(f.text, main_text, f.len);
    assert_false(f.is_stdlib);
    assert_true(strat_file_get(c, 1, &f));
    assert_string_equal(f.real_path, "/nonexistent-strat-api/parts/people.strat");
    assert_string_equal(f.text, people);
    assert_true(strat_file_get(c, 2, &f));
    assert_true(f.is_stdlib);
    assert_false(strat_file_get(c, 3, &f));
    assert_null(f.path);
    strat_free(c);
}

static void relative_name_lies_in_the_given_root(void **state)
{
    (void)state;
    const char *text = "import \"missing\"\n";
    strat_options o = api_options();
    o.project_root = "/tmp";
    strat_compilation *c = strat_new(NULL, &o);
    assert_int_equal(strat_load_buffer(c, "sub/x.strat", text, strlen(text)), STRAT_FINDINGS);
    strat_file f;
    char want[PATH_MAX + 32], root[PATH_MAX];
    assert_non_null(realpath("/tmp", root));
    snprintf(want, sizeof want, "%s/sub/x.strat", root);
    assert_true(strat_file_get(c, 0, &f));
    assert_string_equal(f.real_path, want);
    assert_string_equal(f.path, "sub/x.strat");   /* shown as given */
    strat_diag_info info;
    assert_true(strat_diag_get(c, 0, &info));
    assert_int_equal(info.range.file_index, 0);
    assert_string_equal(info.range.file, "sub/x.strat");
    strat_free(c);
}

static void reader_misses_fall_back_and_confinement_holds(void **state)
{
    (void)state;
    const char *text = "import \"missing\"\nimport \"../outside\"\n";
    Files files = {{NULL}, {NULL}, {{0}}, 0};
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_reader(c, read_from, &files);
    assert_int_equal(strat_load_buffer(c, "/nonexistent-strat-api/main.strat", text,
                                       strlen(text)),
                     STRAT_FINDINGS);
    /* asked for the one inside the root, not for the one outside it */
    assert_int_equal(files.nasked, 1);
    assert_string_equal(files.asked[0], "/nonexistent-strat-api/missing.strat");
    assert_int_equal(strat_diag_count(c), 2);
    strat_diag_info info;
    assert_true(strat_diag_get(c, 0, &info));
    assert_string_equal(info.range.file, "/nonexistent-strat-api/main.strat");
    assert_int_equal(info.range.start_line, 1);
    assert_non_null(strstr(info.message, "missing.strat"));
    assert_true(strat_diag_get(c, 1, &info));
    assert_int_equal(info.range.start_line, 2);
    assert_non_null(strstr(info.message, "leaves the project root"));
    assert_non_null(info.hint);
    strat_free(c);
}

static void reader_import_cycle_is_reported(void **state)
{
    (void)state;
    Files files = {{"/nonexistent-strat-api/a.strat", "/nonexistent-strat-api/b.strat"},
                   {"import \"b\"\n", "import \"a\"\n"},
                   {{0}},
                   0};
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_reader(c, read_from, &files);
    const char *text = "import \"a\"\n";
    strat_load_buffer(c, "/nonexistent-strat-api/main.strat", text, strlen(text));
    strat_diag_info info;
    bool found = false;
    for (size_t i = 0; i < strat_diag_count(c); i++) {
        assert_true(strat_diag_get(c, i, &info));
        if (strstr(info.message, "import cycle")) {
            found = true;
            assert_true(info.nnotes >= 1);
            const char *msg = NULL;
            strat_range r;
            assert_true(strat_diag_note(c, i, 0, &msg, &r));
            assert_non_null(strstr(msg, "imports"));
            assert_non_null(r.file);
            assert_false(strat_diag_note(c, i, info.nnotes, &msg, &r));
        }
    }
    assert_true(found);
    strat_free(c);
}

/* ---- diagnostics as data -------------------------------------------------------- */

static int to_text(void *ctx, const char *data, size_t len)
{
    Text *t = ctx;
    put(t, "%.*s", (int)len, data);
    return 0;
}

static void diagnostics_in_printed_order_with_fields(void **state)
{
    (void)state;
    /* two errors, found in the opposite order from their places */
    const char *text = "role cio { title = \"CIO\" }\n"
                       "service web { owner = nobody }\n"
                       "service mail { owner = cio title = 1 + }\n";
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_load_buffer(c, "x.strat", text, strlen(text));
    strat_check(c);
    size_t n = strat_diag_count(c);
    assert_true(n >= 2);
    Text printed = {0};
    put(&printed, "%s", "");
    assert_true(strat_print_diagnostics_to(c, STRAT_DIAG_TEXT, false, to_text, &printed));
    /* each diagnostic's first line, in the iterator's order, appears in the
     * printed text in the same order */
    const char *at = printed.s;
    for (size_t i = 0; i < n; i++) {
        strat_diag_info info;
        assert_true(strat_diag_get(c, i, &info));
        assert_non_null(info.code);
        assert_true(info.code[0] == 'S');
        assert_non_null(info.title);
        assert_non_null(info.message);
        char head[512];
        if (info.range.file) {
            assert_string_equal(info.range.file, "x.strat");
            assert_true(info.range.end_byte >= info.range.start_byte);
            snprintf(head, sizeof head, "x.strat:%u:%u: %s: %s [%s", info.range.start_line,
                     info.range.start_col,
                     info.severity == STRAT_SEVERITY_ERROR ? "error" : "warning",
                     info.message, info.code);
        } else {
            snprintf(head, sizeof head, "%s", info.message);
        }
        const char *hit = strstr(at, head);
        if (!hit)
            fail_msg("diagnostic %zu `%s` not printed after the one before:\n%s", i, head,
                     printed.s);
        at = hit + strlen(head);
    }
    free(printed.s);
    strat_free(c);
}

static void fixits_are_read_as_recorded(void **state)
{
    (void)state;
    const char *text = "role cio { title = \"CIO\" }\nservice web { owner = nobody }\n";
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_load_buffer(c, "x.strat", text, strlen(text));
    strat_check(c);
    assert_true(strat_diag_count(c) >= 1);
    strat_diag_info info;
    assert_true(strat_diag_get(c, 0, &info));
    assert_int_equal(info.nfixes, 0);
    /* no check records fix-its yet: attach two as one would */
    Diag *d = c->diags.items[0];
    uint32_t at = (uint32_t)(strstr(text, "nobody") - text);
    diag_fix(c, d, (Loc){d->loc.file, at, at + 6}, "cio", true);
    diag_fix(c, d, (Loc){d->loc.file, at, at}, "# ", false);
    assert_true(strat_diag_get(c, 0, &info));
    assert_int_equal(info.nfixes, 2);
    strat_fixit fix;
    assert_true(strat_diag_fix(c, 0, 0, &fix));
    assert_string_equal(fix.text, "cio");
    assert_true(fix.machine_applicable);
    assert_string_equal(fix.range.file, "x.strat");
    assert_int_equal(fix.range.start_line, 2);
    assert_int_equal(fix.range.start_col, 23);
    assert_int_equal(fix.range.end_col, 29);
    assert_int_equal(fix.range.start_byte, at);
    assert_true(strat_diag_fix(c, 0, 1, &fix));
    assert_false(fix.machine_applicable);
    assert_int_equal(fix.range.start_byte, fix.range.end_byte);
    assert_false(strat_diag_fix(c, 0, 2, &fix));
    assert_null(fix.text);
    strat_free(c);
}

/* ---- writer and log callbacks, and silence on stderr ---------------------------- */

static int failing_writer(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return -1;
}

static void emit_through_a_writer(void **state)
{
    (void)state;
    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    strat_load_buffer(c, "shop.strat", SHOP, strlen(SHOP));
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    assert_int_equal(strat_emit_decisions(c, mem, "csv"), STRAT_OK);
    fclose(mem);
    Text got = {0};
    put(&got, "%s", "");
    assert_int_equal(strat_emit_decisions_to(c, "csv", to_text, &got), STRAT_OK);
    assert_string_equal(got.s, buf);
    assert_non_null(strstr(got.s, "web"));
    assert_int_equal(strat_emit_decisions_to(c, "json", failing_writer, NULL), STRAT_FAILURE);
    free(got.s);
    free(buf);
    strat_free(c);
}

static void log_line(void *ctx, const char *kind, const char *line)
{
    put(ctx, "%s: %s\n", kind, line);
}

static void log_goes_to_the_callback_not_stderr(void **state)
{
    (void)state;
    char path[] = "/tmp/strat-api-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    strat_options o = api_options();
    o.verbose = true;
    strat_compilation *c = strat_new(NULL, &o);
    Text log = {0};
    put(&log, "%s", "");
    strat_set_log(c, log_line, &log);
    strat_load_buffer(c, "shop.strat", SHOP, strlen(SHOP));
    strat_decide(c);
    strat_free(c);
    /* and without a log callback: nowhere */
    c = strat_new(NULL, &o);
    strat_load_buffer(c, "shop.strat", SHOP, strlen(SHOP));
    strat_decide(c);
    strat_free(c);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    close(fd);
    unlink(path);
    assert_int_equal(st.st_size, 0);
    assert_non_null(strstr(log.s, "time: parse"));
    assert_non_null(strstr(log.s, "time: check"));
    free(log.s);
}

static void default_stdlib_dir_prefers_the_environment(void **state)
{
    (void)state;
    setenv("STRAT_STDLIB", "/somewhere/else", 1);
    assert_string_equal(strat_default_stdlib_dir(), "/somewhere/else");
    unsetenv("STRAT_STDLIB");
    const char *d = strat_default_stdlib_dir();
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/std/itil.strat", d);
    assert_int_equal(access(probe, R_OK), 0);
}

/* ---- entry files (strat_is_entry_file, strat_find_entries) --------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* main.strat -> lib/a.strat -> lib/b.strat; other.strat imports nothing;
 * lib/c.strat nothing imports.  Then a reader's text in place of
 * other.strat's (it imports lib/c) and of lib/b.strat's (a strategy). */
static void entries_found_by_text_and_through_the_reader(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/strat-entries-XXXXXX", top[PATH_MAX], lib[PATH_MAX + 8];
    assert_non_null(mkdtemp(tmpl));
    assert_non_null(realpath(tmpl, top));
    snprintf(lib, sizeof lib, "%s/lib", top);
    assert_int_equal(mkdir(lib, 0700), 0);
    write_file(top, "main.strat", "import \"lib/a\"\nstrategy \"x\" {\n}\n");
    write_file(top, "other.strat", "strategy \"y\" {\n}\n");
    write_file(lib, "a.strat", "import \"b\"\n");
    write_file(lib, "b.strat", "role r { title = \"r\" }\n");
    write_file(lib, "c.strat", "role s { title = \"s\" }\n");
    char main_path[PATH_MAX + 16], other[PATH_MAX + 16], b[PATH_MAX + 16], c_path[PATH_MAX + 16];
    snprintf(main_path, sizeof main_path, "%s/main.strat", top);
    snprintf(other, sizeof other, "%s/other.strat", top);
    snprintf(b, sizeof b, "%s/lib/b.strat", top);
    snprintf(c_path, sizeof c_path, "%s/lib/c.strat", top);

    strat_options o = api_options();
    strat_compilation *c = strat_new(NULL, &o);
    const char *const *paths;
    size_t n;
    assert_true(strat_is_entry_file(c, main_path));
    assert_false(strat_is_entry_file(c, b));
    assert_int_equal(strat_find_entries(c, top, NULL, &paths, &n), STRAT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(paths[0], main_path);
    assert_string_equal(paths[1], other);
    assert_int_equal(strat_find_entries(c, top, b, &paths, &n), STRAT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(paths[0], main_path);
    assert_int_equal(strat_find_entries(c, top, c_path, &paths, &n), STRAT_OK);
    assert_int_equal(n, 0);
    strat_free(c);

    /* a file as a user names it: its importers under its project's top
     * (--root here), spelt with `..`; none for an entry, or through a link */
    o.project_root = top;
    c = strat_new(NULL, &o);
    char spelt[PATH_MAX + 32], link[PATH_MAX + 16];
    snprintf(spelt, sizeof spelt, "%s/lib/../lib/./b.strat", top);
    assert_int_equal(strat_find_importers(c, spelt, &paths, &n), STRAT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(paths[0], main_path);
    assert_int_equal(strat_find_importers(c, main_path, &paths, &n), STRAT_OK);
    assert_int_equal(n, 0);
    snprintf(link, sizeof link, "%s/linked", top);
    assert_int_equal(symlink("lib", link), 0);
    snprintf(spelt, sizeof spelt, "%s/linked/b.strat", top);
    assert_int_equal(strat_find_importers(c, spelt, &paths, &n), STRAT_OK);
    assert_int_equal(n, 0);
    unlink(link);
    strat_free(c);
    o.project_root = NULL;

    /* the reader's text stands in for the file's */
    Files files = {{other, b}, {"strategy \"y\" {\n}\nimport \"lib/c\"\n",
                                "strategy \"b\" {\n}\n"}, {{0}}, 0};
    c = strat_new(NULL, &o);
    strat_set_reader(c, read_from, &files);
    assert_true(strat_is_entry_file(c, b));
    assert_int_equal(strat_find_entries(c, top, c_path, &paths, &n), STRAT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(paths[0], other);
    strat_free(c);

    const char *names[] = {"main.strat", "other.strat", "lib/a.strat", "lib/b.strat",
                           "lib/c.strat"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/%s", top, names[i]);
        unlink(path);
    }
    rmdir(lib);
    rmdir(top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_importing_std_itil_decides),
        cmocka_unit_test(named_table_through_both_engines),
        cmocka_unit_test(accessors_refuse_bad_indices_and_missing_data),
        cmocka_unit_test(no_decide_block_means_no_table),
        cmocka_unit_test(oversized_buffer_is_refused),
        cmocka_unit_test(reader_supplies_imports),
        cmocka_unit_test(relative_name_lies_in_the_given_root),
        cmocka_unit_test(reader_misses_fall_back_and_confinement_holds),
        cmocka_unit_test(reader_import_cycle_is_reported),
        cmocka_unit_test(entries_found_by_text_and_through_the_reader),
        cmocka_unit_test(diagnostics_in_printed_order_with_fields),
        cmocka_unit_test(fixits_are_read_as_recorded),
        cmocka_unit_test(emit_through_a_writer),
        cmocka_unit_test(log_goes_to_the_callback_not_stderr),
        cmocka_unit_test(default_stdlib_dir_prefers_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
