/*
 * test_resolve_index.c — what each name denotes, recorded once by the
 * checks, and the position index over it (program_symbol_at,
 * program_references, program_definition in program.h), over a small
 * strategy of two .strat files and a CSV file: the definition of a use,
 * the references of a declaration, a const, a score, an attribute, an
 * entity declared in a file and one loaded from CSV, a bound variable,
 * and nothing at whitespace, keywords or literals.
 */
#include "test_util.h"

static const char lib_text[] =
    "team ops { lead = \"A. Lead\" }\n"
    "const weight = 2\n"
    "\n"
    "schema service {\n"
    "  users : number >= 0\n"
    "}\n"
    "\n"
    "score value(s) = s.users * weight\n";

static const char main_text[] =
    "import \"lib\"\n"
    "\n"
    "strategy \"Index test\" {\n"
    "  horizon = 2027-01-01 .. 2027-12-31\n"
    "  budget  = 1M\n"
    "}\n"
    "\n"
    "customer staff { title = \"Staff\" }\n"
    "\n"
    "service billing {\n"
    "  owner     = ops\n"
    "  users     = 10\n"
    "  customers = [staff]\n"
    "}\n"
    "\n"
    "load service from \"svc.csv\" {\n"
    "  key = \"id\"\n"
    "}\n"
    "\n"
    "decide {\n"
    "  invest   when value(s) > weight and any(t.lead == \"A. Lead\" for t in team)\n"
    "  tolerate otherwise\n"
    "}\n";

static const char csv_text[] = "id,owner,users,customers\nledger,ops,3,staff\n";

typedef struct Fixture {
    strat_compilation *c;
    uint32_t lib, main, csv;   /* source ids (index + 1) */
} Fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static uint32_t source_ending(strat_compilation *c, const char *suffix)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        const Source *s = c->sources.items[i];
        size_t n = strlen(s->path), m = strlen(suffix);
        if (n >= m && strcmp(s->path + n - m, suffix) == 0)
            return i + 1;
    }
    return 0;
}

static int setup(void **state)
{
    static char dir[] = "/tmp/strat-index-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "lib.strat", lib_text);
    write_file(dir, "main.strat", main_text);
    write_file(dir, "svc.csv", csv_text);
    char path[256];
    snprintf(path, sizeof path, "%s/main.strat", dir);
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    Fixture *fx = calloc(1, sizeof *fx);
    fx->c = strat_new(NULL, &o);
    const char *files[] = {path};
    assert_int_not_equal(strat_load(fx->c, files, 1), STRAT_FAILURE);
    assert_int_not_equal(strat_check(fx->c), STRAT_FAILURE);
    if (fx->c->nerrors)
        dump_diags(fx->c);
    assert_int_equal(fx->c->nerrors, 0);
    fx->lib = source_ending(fx->c, "lib.strat");
    fx->main = source_ending(fx->c, "main.strat");
    fx->csv = source_ending(fx->c, "svc.csv");
    assert_true(fx->lib && fx->main && fx->csv);
    for (const char *n = "lib.strat"; n; n = strcmp(n, "lib.strat") == 0 ? "main.strat"
                                                : strcmp(n, "main.strat") == 0 ? "svc.csv"
                                                                               : NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, n);
        unlink(path);
    }
    rmdir(dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    strat_free(fx->c);
    free(fx);
    return 0;
}

/* The byte offset of the nth (0-based) occurrence of `needle` in text,
 * plus `into` bytes. */
static uint32_t offset_of(const char *text, const char *needle, int nth, uint32_t into)
{
    const char *p = text;
    for (;;) {
        p = strstr(p, needle);
        assert_non_null(p);
        if (nth-- == 0)
            return (uint32_t)(p - text) + into;
        p++;
    }
}

static SymbolSite at(Fixture *fx, uint32_t file, const char *text, const char *needle,
                     int nth)
{
    SymbolSite s;
    assert_true(program_symbol_at(fx->c, file, offset_of(text, needle, nth, 0), &s));
    return s;
}

static LineCol pos(Fixture *fx, Loc l)
{
    return source_linecol(fx->c, l.file, l.start);
}

static void const_use_goes_to_its_declaration_in_another_file(void **state)
{
    Fixture *fx = *state;
    /* `weight` in main.strat's decide */
    SymbolSite use = at(fx, fx->main, main_text, "weight", 0);
    assert_false(use.is_decl);
    assert_int_equal(use.sym.kind, SYM_CONST);
    assert_string_equal(use.sym.name, "weight");
    SymbolSite def;
    assert_true(program_definition(fx->c, &use.sym, &def));
    assert_true(def.is_decl);
    assert_int_equal(def.loc.file, fx->lib);
    assert_int_equal(pos(fx, def.loc).line, 2);
    assert_int_equal(pos(fx, def.loc).col, 7);
    /* and the declaration itself is a site */
    SymbolSite decl = at(fx, fx->lib, lib_text, "weight", 0);
    assert_true(decl.is_decl);
    assert_true(symbol_same(&decl.sym, &use.sym));
}

static void const_references_span_files(void **state)
{
    Fixture *fx = *state;
    SymbolSite decl = at(fx, fx->lib, lib_text, "weight", 0);
    const SymbolSite *refs;
    uint32_t n = program_references(fx->c, &decl.sym, true, &refs);
    assert_int_equal(n, 3);   /* the const, the score's use, decide's use */
    unsigned in_lib = 0, in_main = 0, decls = 0;
    for (uint32_t i = 0; i < n; i++) {
        in_lib += refs[i].loc.file == fx->lib;
        in_main += refs[i].loc.file == fx->main;
        decls += refs[i].is_decl;
    }
    assert_int_equal(in_lib, 2);
    assert_int_equal(in_main, 1);
    assert_int_equal(decls, 1);
    assert_int_equal(program_references(fx->c, &decl.sym, false, &refs), 2);
}

static void score_call_denotes_the_score(void **state)
{
    Fixture *fx = *state;
    SymbolSite use = at(fx, fx->main, main_text, "value(s)", 0);
    assert_int_equal(use.sym.kind, SYM_SCORE);
    SymbolSite def;
    assert_true(program_definition(fx->c, &use.sym, &def));
    assert_int_equal(def.loc.file, fx->lib);
    assert_int_equal(pos(fx, def.loc).line, 8);
    assert_int_equal(pos(fx, def.loc).col, 7);
    const SymbolSite *refs;
    assert_int_equal(program_references(fx->c, &use.sym, false, &refs), 1);
}

static void attribute_uses_include_blocks_that_set_it(void **state)
{
    Fixture *fx = *state;
    /* `s.users` in the score */
    SymbolSite use = at(fx, fx->lib, lib_text, "users *", 0);
    assert_int_equal(use.sym.kind, SYM_ATTR);
    assert_int_equal(use.sym.entity_kind, EK_SERVICE);
    SymbolSite def;
    assert_true(program_definition(fx->c, &use.sym, &def));
    assert_int_equal(pos(fx, def.loc).line, 5);   /* the schema field */
    const SymbolSite *refs;
    uint32_t n = program_references(fx->c, &use.sym, false, &refs);
    assert_int_equal(n, 2);   /* s.users, and `users = 10` in billing */
    /* in file order (main.strat was loaded first), then offset order */
    assert_int_equal(refs[0].loc.file, fx->main);
    assert_int_equal(pos(fx, refs[0].loc).line, 12);
    assert_int_equal(refs[1].loc.file, fx->lib);
    assert_int_equal(pos(fx, refs[1].loc).line, 8);
}

static void entity_references_and_a_csv_row(void **state)
{
    Fixture *fx = *state;
    SymbolSite decl = at(fx, fx->lib, lib_text, "ops", 0);
    assert_true(decl.is_decl);
    assert_int_equal(decl.sym.kind, SYM_ENTITY);
    assert_int_equal(decl.sym.entity_kind, EK_TEAM);
    const SymbolSite *refs;
    uint32_t n = program_references(fx->c, &decl.sym, false, &refs);
    assert_int_equal(n, 1);   /* `owner = ops` (CSV cells are not indexed) */
    assert_int_equal(refs[0].loc.file, fx->main);
    assert_int_equal(pos(fx, refs[0].loc).line, 11);

    /* a row loaded from CSV: its name cell is its declaration */
    SymbolSite row;
    assert_true(program_symbol_at(fx->c, fx->csv, offset_of(csv_text, "ledger", 0, 2), &row));
    assert_true(row.is_decl);
    assert_int_equal(row.sym.kind, SYM_ENTITY);
    assert_int_equal(row.sym.entity_kind, EK_SERVICE);
    assert_string_equal(row.sym.name, "ledger");
    assert_int_equal(pos(fx, row.loc).line, 2);

    /* an entity in a list: `customers = [staff]` */
    SymbolSite staff = at(fx, fx->main, main_text, "staff]", 0);
    assert_int_equal(staff.sym.kind, SYM_ENTITY);
    assert_int_equal(staff.sym.entity_kind, EK_CUSTOMER);
    SymbolSite def;
    assert_true(program_definition(fx->c, &staff.sym, &def));
    assert_int_equal(pos(fx, def.loc).line, 8);
}

static void bound_variable_goes_to_its_binder(void **state)
{
    Fixture *fx = *state;
    SymbolSite use = at(fx, fx->main, main_text, "t.lead", 0);
    assert_int_equal(use.sym.kind, SYM_LOCAL);
    assert_int_equal(use.sym.entity_kind, EK_TEAM);
    SymbolSite def;
    assert_true(program_definition(fx->c, &use.sym, &def));
    assert_int_equal(def.loc.start, offset_of(main_text, "t in team", 0, 0));
    /* a score's parameter is the binder of its uses */
    SymbolSite param = at(fx, fx->lib, lib_text, "s.users", 0);
    assert_int_equal(param.sym.kind, SYM_LOCAL);
    assert_true(program_definition(fx->c, &param.sym, &def));
    assert_int_equal(def.loc.start, offset_of(lib_text, "s)", 0, 0));
}

static void nothing_at_whitespace_keywords_or_literals(void **state)
{
    Fixture *fx = *state;
    SymbolSite s;
    assert_false(program_symbol_at(fx->c, fx->main, offset_of(main_text, "owner     =", 0, 6),
                                   &s));
    assert_false(program_symbol_at(fx->c, fx->main, offset_of(main_text, "decide", 0, 2), &s));
    assert_false(program_symbol_at(fx->c, fx->main, offset_of(main_text, "10", 0, 0), &s));
    assert_false(program_symbol_at(fx->c, fx->lib, offset_of(lib_text, "\"A. Lead\"", 0, 3),
                                   &s));
    /* the byte just past a name is not in it */
    assert_false(program_symbol_at(fx->c, fx->lib, offset_of(lib_text, "weight", 0, 6), &s));
    /* by line and column: main.strat line 11 is `  owner     = ops` */
    SymbolSite ops;
    assert_true(program_symbol_at_line(fx->c, fx->c->sources.len ? ((Source *)fx->c->sources.items[fx->main - 1])->path : "", 11, 15, &ops));
    assert_int_equal(ops.sym.kind, SYM_ENTITY);
    assert_false(program_symbol_at_line(fx->c, "no-such-file.strat", 1, 1, &ops));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(const_use_goes_to_its_declaration_in_another_file),
        cmocka_unit_test(const_references_span_files),
        cmocka_unit_test(score_call_denotes_the_score),
        cmocka_unit_test(attribute_uses_include_blocks_that_set_it),
        cmocka_unit_test(entity_references_and_a_csv_row),
        cmocka_unit_test(bound_variable_goes_to_its_binder),
        cmocka_unit_test(nothing_at_whitespace_keywords_or_literals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
