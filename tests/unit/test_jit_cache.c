/*
 * test_jit_cache.c — the cache of compiled code, seen from inside the
 * process (tests/security/jit_cache_test.sh attacks it from outside):
 *
 *  - when libgccjit fails to write the object (its context then keeps the
 *    error), the kernel is still compiled, in memory, and runs;
 *  - what dlopen maps is a sealed memfd holding the bytes that were hashed,
 *    not the file in the cache; the object is 0600 and its index entry is
 *    in sha256sum's format; no build directory is left behind;
 *  - objects of several rules loaded at once in one process each stay
 *    loaded from the cache (their /proc/self/fd names never collide), and
 *    give the interpreter's results.
 *
 * gcc_jit_context_compile_to_file is interposed: this executable's
 * definition is the one libstrat.a links to, and it calls libgccjit's own
 * (found with RTLD_NEXT) unless a test asks it to fail.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <libgccjit.h>
#include <link.h>
#include <sys/stat.h>

#include "test_util.h"

static bool fail_compile_to_file;   /* set by a test: the next write fails */

void gcc_jit_context_compile_to_file(gcc_jit_context *ctxt, enum gcc_jit_output_kind kind,
                                     const char *path)
{
    typedef void (*Real)(gcc_jit_context *, enum gcc_jit_output_kind, const char *);
    Real real = (Real)dlsym(RTLD_NEXT, "gcc_jit_context_compile_to_file");
    assert_non_null(real);
    /* a directory that does not exist: libgccjit records the error on the
     * context, as it does for a full disk */
    real(ctxt, kind, fail_compile_to_file ? "/nonexistent-strat-test/kernel.so" : path);
}

static const char *strategy(int variant)
{
    static char text[4096];
    snprintf(text, sizeof text,
             STRATEGY_HEADER "role cfo { }\n"
                             "schema service { x : number  y : number }\n"
                             "service a { owner = cfo x = 1 y = 2 }\n"
                             "service b { owner = cfo x = 5 y = -1 }\n"
                             "service c { owner = cfo x = 3 y = 7 }\n"
                             "score f(s) = s.x * %d + s.y\n"
                             "decide {\n"
                             "  invest when f(s) > %d\n"
                             "  tolerate otherwise\n"
                             "  rank by f(s) desc\n"
                             "}\n",
             variant + 1, 4 + variant);
    return text;
}

static strat_compilation *compile_with(const char *text, strat_jit_mode jit, const char *cache)
{
    char dir[] = "/tmp/strat-jitc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/t.strat", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    o.jit = jit;
    o.cache_dir = cache;
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_test_knobs(c, &(strat_test_knobs){.jit_O0 = true});
    const char *files[] = {path};
    strat_load(c, files, 1);
    strat_check(c);
    strat_decide(c);
    unlink(path);
    rmdir(dir);
    if (c->nerrors) {
        dump_diags(c);
        fail_msg("the strategy does not check");
    }
    return c;
}

static void same_results(strat_compilation *a, strat_compilation *b)
{
    Results *ra = a->results, *rb = b->results;
    assert_non_null(ra);
    assert_non_null(rb);
    assert_int_equal(ra->nservices, rb->nservices);
    size_t cells = (size_t)ra->nscores * ra->nservices;
    assert_memory_equal(ra->scores, rb->scores, cells * sizeof(double));
    assert_memory_equal(ra->decision, rb->decision, ra->nservices);
    assert_memory_equal(ra->rank, rb->rank, ra->nservices * sizeof *ra->rank);
}

/* The entries of dir whose names start with prefix ("." and ".." aside). */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* The cache's entries but its note of libgccjit (jit.c writes one once
 * it has loaded the library, whatever became of the object). */
static int cached_files(const char *dir)
{
    return count_entries(dir, "") - count_entries(dir, "libgccjit.identity");
}

static void remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void in_memory_after_a_failed_write(void **state)
{
    (void)state;
    char cache[] = "/tmp/strat-cache-XXXXXX";
    assert_non_null(mkdtemp(cache));
    strat_compilation *ref = compile_with(strategy(0), STRAT_JIT_OFF, "");
    fail_compile_to_file = true;
    strat_compilation *c = compile_with(strategy(0), STRAT_JIT_ON, cache);
    fail_compile_to_file = false;
    /* the kernel ran (jit_run keeps what it ran), and ran right */
    assert_non_null(c->jit_kept);
    same_results(ref, c);
    /* nothing cached, nothing left behind */
    assert_int_equal(cached_files(cache), 0);
    assert_int_equal(count_entries(cache, ".build-"), 0);
    strat_free(c);
    strat_free(ref);
    remove_tree(cache);
}

/* dl_iterate_phdr: the /proc/self/fd names of loaded objects. */
typedef struct FdObjects {
    int count;
    int fds[16];
} FdObjects;

static int collect_fd_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    FdObjects *o = arg;
    int fd;
    if (info->dlpi_name && sscanf(info->dlpi_name, "/proc/self/fd/%d", &fd) == 1 &&
        o->count < 16)
        o->fds[o->count++] = fd;
    return 0;
}

static void loads_the_bytes_it_hashed(void **state)
{
    (void)state;
    char cache[] = "/tmp/strat-cache-XXXXXX";
    assert_non_null(mkdtemp(cache));
    strat_compilation *ref = compile_with(strategy(0), STRAT_JIT_OFF, "");
    strat_compilation *a = compile_with(strategy(0), STRAT_JIT_ON, cache);   /* fills */
    same_results(ref, a);
    strat_free(a);
    /* one object, 0600, one index entry that sha256sum accepts, no
     * build directory */
    assert_int_equal(cached_files(cache), 2);
    assert_int_equal(count_entries(cache, ".build-"), 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && test \"$(stat -c %%a *.so)\" = 600 && sha256sum --status -c *.sha256",
             cache);
    assert_int_equal(system(cmd), 0);

    strat_compilation *b = compile_with(strategy(0), STRAT_JIT_ON, cache);   /* loads */
    same_results(ref, b);
    FdObjects objs = {0};
    dl_iterate_phdr(collect_fd_object, &objs);
    assert_int_equal(objs.count, 1);
    /* a sealed memfd, not the cache's file */
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/self/fd/%d", objs.fds[0]);
    ssize_t len = readlink(link, target, sizeof target - 1);
    assert_true(len > 0);
    target[len] = '\0';
    assert_true(strncmp(target, "/memfd:strat-jit", 16) == 0);
    int seals = fcntl(objs.fds[0], F_GET_SEALS);
    assert_true(seals >= 0);
    assert_true((seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) ==
                (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW));
    strat_free(b);
    /* released with the compilation */
    objs.count = 0;
    dl_iterate_phdr(collect_fd_object, &objs);
    assert_int_equal(objs.count, 0);
    strat_free(ref);
    remove_tree(cache);
}

static void several_objects_loaded_at_once(void **state)
{
    (void)state;
    char cache[] = "/tmp/strat-cache-XXXXXX";
    assert_non_null(mkdtemp(cache));
    enum { N = 4 };
    strat_compilation *ref[N], *jit[N];
    for (int i = 0; i < N; i++) {
        ref[i] = compile_with(strategy(i), STRAT_JIT_OFF, "");
        strat_free(compile_with(strategy(i), STRAT_JIT_ON, cache));   /* fills */
    }
    assert_int_equal(cached_files(cache), 2 * N);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -l --time-style=full-iso '%s' >'%s.before'", cache, cache);
    assert_int_equal(system(cmd), 0);
    /* all loaded together, from the cache: none rejected and rewritten */
    for (int i = 0; i < N; i++) {
        jit[i] = compile_with(strategy(i), STRAT_JIT_ON, cache);
        same_results(ref[i], jit[i]);
    }
    FdObjects objs = {0};
    dl_iterate_phdr(collect_fd_object, &objs);
    assert_int_equal(objs.count, N);
    snprintf(cmd, sizeof cmd, "ls -l --time-style=full-iso '%s' | cmp -s - '%s.before'", cache,
             cache);
    assert_int_equal(system(cmd), 0);
    /* one freed and loaded again while the others stay */
    strat_free(jit[1]);
    jit[1] = compile_with(strategy(1), STRAT_JIT_ON, cache);
    same_results(ref[1], jit[1]);
    for (int i = 0; i < N; i++) {
        strat_free(jit[i]);
        strat_free(ref[i]);
    }
    snprintf(cmd, sizeof cmd, "ls -l --time-style=full-iso '%s' | cmp -s - '%s.before'", cache,
             cache);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s.before", cache);
    unlink(cmd);
    remove_tree(cache);
}

/* (a failed assertion skips the test's own reset) */
static int writes_work_again(void **state)
{
    (void)state;
    fail_compile_to_file = false;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(in_memory_after_a_failed_write, writes_work_again),
        cmocka_unit_test(loads_the_bytes_it_hashed),
        cmocka_unit_test(several_objects_loaded_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
