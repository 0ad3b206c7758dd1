/*
 * cli.c — what every command does the same way: compile with the options
 * given, print diagnostics, and write output files atomically.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static bool use_color(const CliOptions *o, FILE *out)
{
    if (o->color >= 0)
        return o->color == 1;
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(out)) && !(nc && *nc);
}

void cli_print_diags(strat_compilation *c, const CliOptions *o, FILE *out,
                     strat_diag_format fmt)
{
    strat_print_diagnostics(c, out, fmt, fmt == STRAT_DIAG_TEXT && use_color(o, out));
}

strat_compilation *cli_compile(const CliOptions *o, const char *const *files,
                               int nfiles, strat_status *status)
{
    strat_compilation *c = strat_new(NULL, &o->lib);
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
