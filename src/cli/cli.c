/*
 * cli.c — what every command does the same way: compile with the options
 * given, print diagnostics, and write output files atomically.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static bool use_color(const CliOptions *o, FILE *out)
{
    if (o->color >= 0)
        return o->color == 1;
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(out)) && !(nc && *nc);
}

/* Allocation-failure injection for the reliability tests (the SQLite and
 * Lua habit): with STRAT_FAIL_ALLOC=N in the environment, the Nth request
 * for memory through the compilation's allocator fails, and so does every
 * later one (frees still work), so each run tests one failure point and
 * the error must travel cleanly from wherever it strikes.  Always compiled
 * in: without the variable it costs one getenv per run.  See
 * tests/reliability/alloc_sweep.sh and docs/reliability.md. */
static void *failing_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    FailAlloc *fa = ud;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    if (++fa->count >= fa->fail_at)
        return NULL;
    return realloc(ptr, new_size);
}

/* The allocator to give strat_new: NULL (malloc) unless STRAT_FAIL_ALLOC
 * asks for injected failures.  The count lives in the command's options,
 * one for the whole run (`diff` compiles twice), not in a global. */
const strat_allocator *cli_allocator(CliOptions *o)
{
    if (o->fail.fail_at)
        return &o->fail_alloc;
    const char *env = getenv("STRAT_FAIL_ALLOC");
    if (!env || !*env)
        return NULL;
    char *end;
    unsigned long n = strtoul(env, &end, 10);
    if (*end || n == 0)
        return NULL;
    o->fail.fail_at = n;
    o->fail_alloc = (strat_allocator){failing_alloc, &o->fail};
    return &o->fail_alloc;
}

void cli_print_diags(strat_compilation *c, const CliOptions *o, FILE *out,
                     strat_diag_format fmt)
{
    strat_print_diagnostics(c, out, fmt, fmt == STRAT_DIAG_TEXT && use_color(o, out));
}

strat_compilation *cli_compile(CliOptions *o, const char *const *files,
                               int nfiles, strat_status *status)
{
    strat_compilation *c = strat_new(cli_allocator(o), &o->lib);
    if (!c) {
        fputs("strat: out of memory\n", stderr);
        *status = STRAT_FAILURE;
        return NULL;
    }
    strat_status st = strat_load(c, files, nfiles);
    if (st != STRAT_FAILURE)
        st = strat_check(c);
    if (strat_out_of_memory(c)) {
        fputs("strat: out of memory\n", stderr);
        strat_free(c);
        *status = STRAT_FAILURE;
        return NULL;
    }
    *status = st;
    return c;
}

bool atomic_open(AtomicFile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    if (!path || strcmp(path, "-") == 0) {
        f->path = NULL;
        f->fp = stdout;
        return true;
    }
    size_t n = strlen(path);
    f->tmp_path = malloc(n + 16);
    if (!f->tmp_path) {
        fputs("strat: out of memory\n", stderr);
        return false;
    }
    /* same directory as the target, so rename() is atomic */
    snprintf(f->tmp_path, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        fprintf(stderr, "strat: cannot write `%s`: %s\n", path, strerror(errno));
        free(f->tmp_path);
        f->tmp_path = NULL;
        return false;
    }
    /* mkstemp makes the file 0600; give it the mode the target has, or
     * that a new file would get */
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    fchmod(fd, mode);
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        fprintf(stderr, "strat: cannot write `%s`: %s\n", path, strerror(errno));
        close(fd);
        unlink(f->tmp_path);
        free(f->tmp_path);
        f->tmp_path = NULL;
        return false;
    }
    return true;
}

bool atomic_commit(AtomicFile *f)
{
    if (!f->path) {
        bool ok = fflush(stdout) == 0 && !ferror(stdout);
        if (!ok)
            fprintf(stderr, "strat: error writing standard output: %s\n", strerror(errno));
        return ok;
    }
    bool ok = fflush(f->fp) == 0 && !ferror(f->fp) && fsync(fileno(f->fp)) == 0;
    int err = errno;
    if (fclose(f->fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    f->fp = NULL;
    if (ok && rename(f->tmp_path, f->path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        fprintf(stderr, "strat: cannot write `%s`: %s\n", f->path, strerror(err));
        unlink(f->tmp_path);
    }
    free(f->tmp_path);
    f->tmp_path = NULL;
    return ok;
}

void atomic_abort(AtomicFile *f)
{
    if (f->path && f->fp) {
        fclose(f->fp);
        unlink(f->tmp_path);
    }
    free(f->tmp_path);
    f->tmp_path = NULL;
    f->fp = NULL;
}
