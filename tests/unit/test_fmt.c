/*
 * test_fmt.c — strat_format's size limit.  A source's length and offsets
 * are 32-bit, so a text longer than STRAT_MAX_SOURCE_BYTES must be refused
 * before it is copied: 4 GiB + 30 B kept as 32 bits would be formatted as
 * its first 30 bytes.  The texts are anonymous mappings (MAP_NORESERVE):
 * a refused text is never touched past its first page.
 */
#include <sys/mman.h>

#include "test_util.h"

/* Formats `len` bytes that start with `head` (the rest is NUL, never read
 * when refused); what was written goes to *out_len. */
static strat_status format_mapped(size_t len, const char *head, strat_compilation **cp,
                                  size_t *out_len)
{
    char *text = mmap(NULL, len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(text != MAP_FAILED);
    memcpy(text, head, strlen(head));
    strat_compilation *c = strat_new(NULL, NULL);
    assert_non_null(c);
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_non_null(out);
    strat_status st = strat_format(c, "big.strat", text, len, out);
    fclose(out);
    free(buf);
    munmap(text, len);
    *cp = c;
    *out_len = n;
    return st;
}

static void over_the_limit_is_refused(void **state)
{
    (void)state;
    const char *head = "const a   =   1   # 30 bytes.\n";
    const size_t sizes[] = {STRAT_MAX_SOURCE_BYTES + 1, ((size_t)4 << 30) + 30};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        strat_compilation *c;
        size_t written;
        strat_status st = format_mapped(sizes[i], head, &c, &written);
        assert_int_equal(st, STRAT_FAILURE);
        assert_int_equal(written, 0);
        assert_int_equal(count_code(c, D_FILE_TOO_LARGE), 1);
        strat_free(c);
    }
}

static void a_small_text_is_formatted(void **state)
{
    (void)state;
    strat_compilation *c = strat_new(NULL, NULL);
    const char *text = "const a   =   1\n";
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_int_equal(strat_format(c, "t.strat", text, strlen(text), out), STRAT_OK);
    fclose(out);
    assert_string_equal(buf, "const a = 1\n");
    free(buf);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(over_the_limit_is_refused),
        cmocka_unit_test(a_small_text_is_formatted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
