/* test_names.c — names in backticks (DESIGN §5.2): lexing, the malformed
 * ones, and how a name is written back (intern.c's name_spelling). */
#include "test_util.h"

static int32_t service_row(strat_compilation *c, const char *name)
{
    return kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, name));
}

static void backtick_names_are_names(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER
        "team `Parks & Recreation` {}\n"
        "service `Email Archive Platform` { owner = `Parks & Recreation`\n"
        "  depends_on = [`Benefits Administration`] }\n"
        "service `Benefits Administration` { owner = `Parks & Recreation` }\n"
        "service `in` { owner = `Parks & Recreation` }\n"
        "service `plain` { owner = `Parks & Recreation` }\n");
    assert_non_null(c);
    assert_int_equal(c->nerrors, 0);
    assert_true(service_row(c, "Email Archive Platform") >= 0);
    assert_true(service_row(c, "Benefits Administration") >= 0);
    /* a keyword in backticks is a name; an identifier in backticks is itself */
    assert_true(service_row(c, "in") >= 0);
    assert_true(service_row(c, "plain") >= 0);
    assert_true(kind_lookup(kind_table(c, EK_TEAM), intern_cstr(c, "Parks & Recreation")) >= 0);
    strat_free(c);
}

static void malformed_backtick_names(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "service `` { }\n"
                                        "service ` padded` { }\n"
                                        "service `tab\there` { }\n"
                                        "service `open { }\n");
    assert_non_null(c);
    assert_int_equal(count_code(c, D_NAME_QUOTED), 4);
    Diag *d = find_code(c, D_NAME_QUOTED);
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 2);
    assert_int_equal(lc.col, 9);
    /* the tab is reported at its own byte */
    unsigned seen_tab = 0;
    for (uint32_t i = 0; i < c->diags.len; i++) {
        Diag *x = c->diags.items[i];
        if (x->code != D_NAME_QUOTED)
            continue;
        LineCol at = diag_pos(c, x);
        seen_tab += at.line == 4 && at.col == 13;
    }
    assert_int_equal(seen_tab, 1);
    strat_free(c);
}

/* The interner (intern.c): every distinct spelling one pointer, its own
 * (60000 names share 16-bit slot tags often: the text decides), through
 * the table's growth and a bulk reserve, at most three names in four
 * slots; names of any length (a long one takes an arena piece of its own)
 * with their header four-byte aligned and unset. */
static void interner_keeps_every_name(void **state)
{
    (void)state;
    enum { NAMES = 60000 };
    strat_options o = {0};
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    Name *first = malloc(sizeof(Name) * NAMES);
    char *big = malloc(40000);
    assert_non_null(first);
    assert_non_null(big);
    memset(big, 'x', 40000);
    char buf[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < NAMES; i++) {
            if (i == NAMES / 2 && round == 0)
                intern_reserve(c, NAMES);   /* a bulk load's reserve, midway */
            int n = snprintf(buf, sizeof buf, "name%0*d", 1 + i % 9, i);
            Name got = i % 5000 == 7 ? intern(c, big, (size_t)(20000 + i % 3)) : intern(c, buf, (size_t)n);
            if (round == 0) {
                first[i] = got;
                /* its own spelling, not another name whose slot it met */
                if (i % 5000 != 7) {
                    assert_int_equal(strlen(got), n);
                    assert_memory_equal(got, buf, (size_t)n);
                }
                assert_true((uintptr_t)got % 4 == 0);
                assert_int_equal(name_info_kind(name_info(got)), -1);
                assert_int_equal(name_info(got)->atom, -1);
            } else {
                assert_ptr_equal(got, first[i]);   /* the same name: the same pointer */
            }
            assert_true((uint64_t)c->names.len * 4 <= (uint64_t)c->names.cap * 3);
        }
    }
    assert_int_equal(strlen(first[7]), 20001);
    assert_string_equal(first[8], "name000000008");
    free(big);
    free(first);
    strat_free(c);
}

/* intern_hash reads a name's last bytes (fewer than eight) with two
 * fixed-size loads: every byte of the name must count, whatever its
 * length, as with the word a memcpy of those bytes would give.  The
 * reference here is that memcpy. */
static uint32_t reference_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, len - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static void intern_hash_counts_every_byte(void **state)
{
    (void)state;
    char buf[48];
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)round % 40;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (char)(x >> 24);
        }
        assert_int_equal(intern_hash(buf, len), reference_hash(buf, len));
        /* one byte changed anywhere: another hash, as a rule */
        if (len) {
            size_t at = (size_t)(x % len);
            uint32_t before = intern_hash(buf, len);
            buf[at] ^= 0x20;
            assert_int_equal(intern_hash(buf, len), reference_hash(buf, len));
            assert_int_not_equal(intern_hash(buf, len), before);
        }
    }
}

/* Names whose hashes collide (forced here: intern_hashed takes the hash)
 * share a slot's tag, so the text decides, and a name that is another's
 * prefix is not that name. */
static void interner_tells_colliding_prefixes_apart(void **state)
{
    (void)state;
    strat_options o = {0};
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    const uint32_t h = 0x9E3779B9u;
    Name abc = intern_hashed(c, "abc", 3, h);
    Name ab = intern_hashed(c, "ab", 2, h);
    Name abcd = intern_hashed(c, "abcd", 4, h);
    assert_string_equal(abc, "abc");
    assert_string_equal(ab, "ab");
    assert_string_equal(abcd, "abcd");
    assert_ptr_equal(intern_hashed(c, "ab", 2, h), ab);
    assert_ptr_equal(intern_hashed(c, "abc", 3, h), abc);
    assert_ptr_equal(intern_hashed(c, "abcd", 4, h), abcd);
    strat_free(c);
}

static void identifiers_and_spellings(void **state)
{
    (void)state;
    assert_true(name_is_identifier("payments"));
    assert_true(name_is_identifier("_x9"));
    assert_true(name_is_identifier("to"));            /* `to` is a keyword only before a date */
    assert_false(name_is_identifier("in"));           /* keywords */
    assert_false(name_is_identifier("service"));
    assert_false(name_is_identifier("value_stream"));
    assert_false(name_is_identifier("9lives"));
    assert_false(name_is_identifier("Email Archive Platform"));
    assert_false(name_is_identifier("café"));
    assert_false(name_is_identifier(""));
    assert_true(name_writable("Parks & Recreation"));
    assert_false(name_writable(" x"));
    assert_false(name_writable("a`b"));
    assert_false(name_writable(""));
    strat_options o = {0};
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    Arena *a = &c->arena;
    assert_string_equal(name_spelling(a, "payments"), "payments");
    assert_string_equal(name_spelling(a, "Email Archive Platform"), "`Email Archive Platform`");
    assert_string_equal(name_spelling(a, "all"), "`all`");
    assert_int_equal(name_spelled_len("all"), 5);
    assert_int_equal(name_spelled_len("cost"), 4);
    strat_free(c);
}

/* A name's header packs its entity's kind and row in one word: each kind
 * reads back its own rows, and no other kind's table finds them. */
static void a_name_header_keeps_kind_and_row(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER);
    assert_non_null(c);
    char buf[32];
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        for (int i = 0; i < 40; i++) {
            snprintf(buf, sizeof buf, "header_%d_%d", k, i);
            Name n = intern_cstr(c, buf);
            uint32_t r = kind_add_row(c, t, n, (Loc){0, 0, 0}, NULL);
            assert_int_equal(kind_lookup(t, n), (int32_t)r);
            assert_int_equal(name_entity_kind(n), k);
            assert_int_equal(kind_lookup(kind_table(c, (EntityKind)((k + 1) % EK_COUNT)), n), -1);
        }
    }
    /* and they still do once every kind has its rows */
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        snprintf(buf, sizeof buf, "header_%d_%d", k, 39);
        assert_int_equal(kind_lookup(t, intern_cstr(c, buf)), (int32_t)t->count - 1);
    }
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backtick_names_are_names),
        cmocka_unit_test(intern_hash_counts_every_byte),
        cmocka_unit_test(malformed_backtick_names),
        cmocka_unit_test(identifiers_and_spellings),
        cmocka_unit_test(interner_keeps_every_name),
        cmocka_unit_test(interner_tells_colliding_prefixes_apart),
        cmocka_unit_test(a_name_header_keeps_kind_and_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
