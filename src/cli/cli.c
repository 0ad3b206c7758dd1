/*
 * cli.c — what every command does the same way: compile with the options
 * given, print diagnostics, and write output files (atomically where the
 * output is a regular file; see "output files" below).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
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

/* The library's log lines (strat_set_log), on stderr as strat has always
 * written them: "strat: time: ...", a progress line redrawn in place. */
static void log_to_stderr(void *ctx, const char *kind, const char *line)
{
    (void)ctx;
    if (strcmp(kind, "progress") == 0)
        fprintf(stderr, "\rstrat: %s", line);
    else if (strcmp(kind, "progress-end") == 0)
        fputs("\r\033[K", stderr);
    else if (strcmp(kind, "error") == 0)
        fprintf(stderr, "strat: %s\n", line);
    else
        fprintf(stderr, "strat: %s: %s\n", kind, line);
}

strat_compilation *cli_new(CliOptions *o)
{
    strat_compilation *c = strat_new(cli_allocator(o), &o->lib);
    if (c) {
        strat_set_log(c, log_to_stderr, NULL);
        strat_set_test_knobs(c, &o->test);
    }
    return c;
}

strat_compilation *cli_compile(CliOptions *o, const char *const *files,
                               int nfiles, strat_status *status)
{
    strat_compilation *c = cli_new(o);
    if (!c) {
        fputs("strat: out of memory\n", stderr);
        *status = STRAT_FAILURE;
        return NULL;
    }
    /* every command decides: `check` for the findings a run gives (rules,
     * limits, scores that are not numbers), the others to show decisions */
    strat_status st = strat_load(c, files, nfiles);
    if (st != STRAT_FAILURE)
        st = strat_check(c);
    if (st != STRAT_FAILURE)
        st = strat_decide(c);
    if (strat_out_of_memory(c)) {
        fputs("strat: out of memory\n", stderr);
        strat_free(c);
        *status = STRAT_FAILURE;
        return NULL;
    }
    *status = st;
    return c;
}

strat_compilation *cli_report_start(CliOptions *o, AtomicFile *out, strat_status *status)
{
    strat_compilation *c = cli_compile(o, o->files, o->nfiles, status);
    if (!c)
        return NULL;
    if (*status == STRAT_FAILURE || !atomic_open(out, o->output)) {
        cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
        strat_free(c);
        return NULL;
    }
    return c;
}

int cli_report_finish(strat_compilation *c, const CliOptions *o, AtomicFile *out,
                      strat_status written, int rc)
{
    if (written == STRAT_OK) {
        if (!atomic_commit(out))
            rc = STRAT_FAILURE;
    } else {
        atomic_abort(out);
        if (strat_out_of_memory(c))
            fputs("strat: out of memory\n", stderr);
        rc = written == STRAT_FAILURE ? STRAT_FAILURE : STRAT_FINDINGS;
    }
    cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
    strat_free(c);
    return rc;
}

/* ---- output files --------------------------------------------------------
 *
 * `-o FILE`, and `strat fmt` rewriting a file in place.  What FILE is
 * decides how it is written:
 *   - absent, `-` or `/dev/stdout`: standard output; `/dev/stderr`,
 *     `/dev/fd/N`, `/proc/self/fd/N`: that descriptor of strat's own
 *     (these name what the caller opened, so no path is followed);
 *   - a regular file, or nothing yet: a temporary file beside it
 *     (BASE.tmpXXXXXX, created with O_EXCL under a random name), written,
 *     fsync'ed and renamed over FILE: FILE holds the old bytes or all the
 *     new ones, never a mix.  Its mode is the old file's permission bits
 *     without setuid, setgid or sticky, or for a new file what any new file
 *     gets (0666 less the umask, or the directory's default ACL);
 *   - a character device or a FIFO (/dev/null, a named pipe): written
 *     through, opened without O_CREAT, so a device is never replaced by a
 *     file (as root, rename() would do it);
 *   - a symbolic link anywhere in the path: refused.  In a checked-out
 *     repository anyone who can open a pull request can commit a link,
 *     and `-o reports/out.md` would then write wherever it points;
 *   - a directory, a block device or a socket: refused.
 * The path is walked one directory at a time with O_NOFOLLOW and all the
 * rest is done relative to the last directory's descriptor, so what was
 * checked is what is written (a path checked and then used again could
 * have changed in between).
 */

/* The temporary file that exists while an output is written, so that a
 * signal handler can remove it: a handler receives no context, hence this
 * static, the CLI's only one.  (The library's rule against global state is
 * about compilations, several of which may run in one process; the CLI is
 * one process writing one output at a time.)  The name is written before
 * `armed` is set, and the signals are blocked in this thread meanwhile. */
static struct {
    volatile sig_atomic_t armed;   /* set and read with __atomic builtins,
                                     * which order the name before it */
    int dir_fd;
    char name[NAME_MAX + 1];
} pending_temp;

void cli_fatal_signal(int sig)
{
    /* unlinkat, signal and raise are async-signal-safe */
    if (__atomic_load_n(&pending_temp.armed, __ATOMIC_SEQ_CST))
        unlinkat(pending_temp.dir_fd, pending_temp.name, 0);
    /* die of the signal, so the exit status says which: it is blocked
     * while this handler runs and is delivered, with the default action,
     * as soon as it returns */
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_bus_error(int sig)
{
    (void)sig;
    /* a fault, not a request: returning would fault again.  unlinkat,
     * write and _exit are async-signal-safe */
    if (__atomic_load_n(&pending_temp.armed, __ATOMIC_SEQ_CST))
        unlinkat(pending_temp.dir_fd, pending_temp.name, 0);
    static const char msg[] = "strat: error: an input file was truncated while strat was "
                              "reading it; nothing was written\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(2);
}

static void block_fatal_signals(sigset_t *old)
{
    static const int sigs[] = CLI_FATAL_SIGNALS;
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void cannot(const char *verb, const char *path, const char *why)
{
    fprintf(stderr, "strat: cannot %s `%s`: %s\n", verb, path, why);
}

static void cannot_write(const char *path, const char *why)
{
    cannot("write", path, why);
}

static void refuse_link(const char *verb, const char *path, size_t link_len)
{
    fprintf(stderr,
            "strat: cannot %s `%s`: `%.*s` is a symbolic link, and strat does not %s "
            "through links (one committed to a repository could point anywhere); "
            "name the file itself\n",
            verb, path, (int)link_len, path, verb);
}

/* /dev/stderr, /dev/fd/N, /proc/self/fd/N: the descriptor N; else -1. */
static int own_descriptor(const char *path)
{
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *digits = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                         : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                                    : NULL;
    if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) ||
        strlen(digits) > 9)
        return -1;
    return atoi(digits);
}

/* Opens the directory that holds path's last component, one component at
 * a time, refusing a symbolic link at any step; *base is set to the last
 * component.  -1 when it cannot (reported: "cannot VERB `path`"). */
static int open_parent(const char *verb, const char *path, const char **base)
{
    const char *last_slash = strrchr(path, '/');
    *base = last_slash ? last_slash + 1 : path;
    int dir = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        cannot(verb, path, strerror(errno));
        return -1;
    }
    for (const char *p = path; last_slash && p < last_slash;) {
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        if (!end || p >= last_slash)
            break;
        size_t n = (size_t)(end - p);
        char part[NAME_MAX + 1];
        if (n > NAME_MAX) {
            cannot(verb, path, strerror(ENAMETOOLONG));
            close(dir);
            return -1;
        }
        memcpy(part, p, n);
        part[n] = '\0';
        p = end;
        struct stat st;
        if (fstatat(dir, part, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            cannot(verb, path, strerror(errno));
            close(dir);
            return -1;
        }
        if (S_ISLNK(st.st_mode)) {
            refuse_link(verb, path, (size_t)(end - path));
            close(dir);
            return -1;
        }
        /* O_NOFOLLOW: had it become a link since the fstatat, this fails */
        int next = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        close(dir);
        if (next < 0) {
            cannot(verb, path, strerror(err));
            return -1;
        }
        dir = next;
    }
    return dir;
}

/* BASE.tmpXXXXXX with six random letters or digits; the base is cut so the
 * name fits in NAME_MAX.  O_EXCL makes a guessed name harmless (the open
 * fails and another name is drawn); the randomness only avoids retries. */
static void make_temp_name(char *out, size_t size, const char *base, unsigned attempt)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
                     (attempt + 1) * 0x9E3779B97F4A7C15u;
        for (size_t i = 0; i < sizeof r; i++) {
            x ^= x >> 29;
            x *= 0xBF58476D1CE4E5B9u;
            r[i] = (unsigned char)(x >> 40);
        }
    }
    size_t keep = strlen(base);
    if (keep > NAME_MAX - 10)
        keep = NAME_MAX - 10;
    snprintf(out, size, "%.*s.tmp%c%c%c%c%c%c", (int)keep, base, alnum[r[0] % 62],
             alnum[r[1] % 62], alnum[r[2] % 62], alnum[r[3] % 62], alnum[r[4] % 62],
             alnum[r[5] % 62]);
}

/* A replaced file's temporary is written through this: every
 * WRITEBACK_BYTES, the writeback of what was written is started
 * (sync_file_range, which does not wait), so that the disk works while
 * the rows are formatted; and every second time the syncer is asked to
 * make what was written durable (below).  Best effort: where either
 * fails, the fsync before the rename does it all.  STRAT_TEST_SYNC_BYTES
 * (a testing knob) sets WRITEBACK_BYTES, so that a small output meets
 * the syncer under the sanitizers. */
enum { WRITEBACK_BYTES = 8 << 20 };

/* ---- syncing ahead ----
 *
 * The fsync before the rename waits until the device holds every byte.
 * With the writeback started as the file grows, what it waits for is the
 * device's cache flush, and on a virtual disk that flush costs in
 * proportion to what was written since the last one: 35 ms for a 65 MB
 * CSV, 95 ms for a 209 MB JSON (the host writing its own file out), the
 * JSON's largest cost after its formatting.  So a thread, started once a
 * file passes twice WRITEBACK_BYTES, calls fdatasync as the file grows,
 * each flush paid while the rows are still formatted; the final fsync
 * then flushes the last few megabytes (2-15 ms for the JSON).  An error
 * the thread meets is kept: the kernel reports a failed writeback once
 * per open file, so the final fsync would not see it again. */
static void *syncer_main(void *arg)
{
    ReplaceSink *s = arg;
    off_t done = 0;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        if (s->want <= done) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        off_t target = s->want;
        pthread_mutex_unlock(&s->lock);
        int failed = fdatasync(s->fd) != 0 ? errno : 0;
        pthread_mutex_lock(&s->lock);
        if (failed && !s->error)
            s->error = failed;
        done = target;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void ask_syncer(ReplaceSink *s)
{
    if (s->no_syncer)
        return;
    if (!s->syncing) {
        /* no signal for the syncer: the CLI's handlers run on the threads
         * that write, which is where they were before it existed */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        s->syncing = pthread_mutex_init(&s->lock, NULL) == 0;
        if (s->syncing && pthread_cond_init(&s->wake, NULL) != 0) {
            pthread_mutex_destroy(&s->lock);
            s->syncing = false;
        }
        if (s->syncing && pthread_create(&s->syncer, NULL, syncer_main, s) != 0) {
            pthread_cond_destroy(&s->wake);
            pthread_mutex_destroy(&s->lock);
            s->syncing = false;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!s->syncing) {
            s->no_syncer = true;
            return;
        }
    }
    pthread_mutex_lock(&s->lock);
    s->want = s->written;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    s->asked = s->written;
}

/* Stops the syncer, if it runs; the errno of a flush it saw fail, or 0. */
static int stop_syncer(ReplaceSink *s)
{
    if (!s->syncing)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->syncer, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    s->syncing = false;
    return s->error;
}

static ssize_t replace_write(void *cookie, const char *buf, size_t n)
{
    ReplaceSink *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;   /* fopencookie: 0 is an error, errno says which */
        done += (size_t)w;
    }
    s->written += (off_t)n;
    if (s->written - s->started >= s->writeback_bytes) {
        sync_file_range(s->fd, s->started, s->written - s->started, SYNC_FILE_RANGE_WRITE);
        s->started = s->written;
        if (s->written - s->asked >= 2 * s->writeback_bytes)
            ask_syncer(s);
    }
    return (ssize_t)n;
}

static int replace_close(void *cookie)
{
    ReplaceSink *s = cookie;
    stop_syncer(s);
    return close(s->fd);
}

/* The temporary beside the target in dir; mode_of: the existing target's
 * stat, or NULL for a new file. */
static bool open_temp(AtomicFile *f, int dir, const char *base, const struct stat *mode_of)
{
    sigset_t old;
    block_fatal_signals(&old);
    int fd = -1, err = EEXIST;
    for (unsigned attempt = 0; attempt < 100 && fd < 0 && err == EEXIST; attempt++) {
        make_temp_name(pending_temp.name, sizeof pending_temp.name, base, attempt);
        pending_temp.dir_fd = dir;
        /* armed before the file exists: a signal delivered to another
         * thread in between finds nothing to remove, which is harmless;
         * armed after, the file could be left behind */
        __atomic_store_n(&pending_temp.armed, 1, __ATOMIC_SEQ_CST);
        /* a new file: 0666, less the umask (the kernel applies it, or the
         * directory's default ACL); an old one's bits are set below */
        fd = openat(dir, pending_temp.name,
                    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    mode_of ? 0600 : 0666);
        if (fd < 0) {
            err = errno;
            __atomic_store_n(&pending_temp.armed, 0, __ATOMIC_SEQ_CST);
        }
    }
    memcpy(f->tmp_name, pending_temp.name, sizeof f->tmp_name);
    restore_signals(&old);
    if (fd < 0) {
        cannot_write(f->path, strerror(err));
        return false;
    }
    /* the old file's permission bits, but never setuid, setgid or sticky:
     * a report is not a program, and root writing over a setuid file must
     * not leave a setuid file of its own */
    if (mode_of)
        fchmod(fd, mode_of->st_mode & 0777);
    const char *knob = getenv("STRAT_TEST_SYNC_BYTES");
    f->sink = (ReplaceSink){.fd = fd, .writeback_bytes = knob && atol(knob) > 0 ? atol(knob)
                                                                                : WRITEBACK_BYTES};
    f->fp = fopencookie(&f->sink, "w", (cookie_io_functions_t){
                                           .write = replace_write, .close = replace_close});
    if (!f->fp) {
        cannot_write(f->path, strerror(errno));
        close(fd);
        block_fatal_signals(&old);
        unlinkat(dir, f->tmp_name, 0);
        __atomic_store_n(&pending_temp.armed, 0, __ATOMIC_SEQ_CST);
        restore_signals(&old);
        return false;
    }
    f->dir_fd = dir;
    f->kind = OUTPUT_REPLACE;
    return true;
}

/* A character device or FIFO already there: opened for writing as it is,
 * without O_CREAT or O_TRUNC. */
static bool open_through(AtomicFile *f, int dir, const char *base)
{
    int fd = openat(dir, base, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        cannot_write(f->path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        cannot_write(f->path, "it changed while being opened");
        close(fd);
        return false;
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        cannot_write(f->path, strerror(errno));
        close(fd);
        return false;
    }
    f->kind = OUTPUT_THROUGH;
    return true;
}

bool atomic_open(AtomicFile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->dir_fd = -1;
    f->path = path;
    if (!path || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0) {
        f->kind = OUTPUT_STDOUT;
        f->fp = stdout;
        return true;
    }
    int own = own_descriptor(path);
    if (own >= 0) {
        int fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(f->fp = fdopen(fd, "w"))) {
            cannot_write(path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return false;
        }
        f->kind = OUTPUT_THROUGH;
        return true;
    }
    const char *base;
    int dir = open_parent("write", path, &base);
    if (dir < 0)
        return false;
    bool ok = false;
    struct stat st;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        cannot_write(path, "is a directory");
    } else if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            ok = open_temp(f, dir, base, NULL);
        else
            cannot_write(path, strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
        refuse_link("write", path, strlen(path));
    } else if (S_ISDIR(st.st_mode)) {
        cannot_write(path, "is a directory");
    } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        ok = open_through(f, dir, base);
    } else if (S_ISREG(st.st_mode)) {
        ok = open_temp(f, dir, base, &st);
    } else {
        cannot_write(path, "is not a regular file, a character device or a FIFO");
    }
    if (ok && f->kind == OUTPUT_REPLACE) {
        f->base = base;
        return true;
    }
    close(dir);
    return ok;
}

int cli_open_no_links(const char *path, int flags)
{
    const char *base;
    int dir = open_parent("read", path, &base);
    if (dir < 0)
        return -1;
    int fd = openat(dir, base, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        struct stat st;
        if (err == ELOOP && fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
            refuse_link("read", path, strlen(path));
        else
            cannot("read", path, strerror(err));
    }
    close(dir);
    return fd;
}

/* STRAT_TEST_PAUSE_BEFORE_RENAME=MS: a test hook (not an option) that
 * waits with the temporary file complete, so a test can signal strat at
 * that moment and check the temporary is removed. */
static void test_pause_before_rename(void)
{
    const char *env = getenv("STRAT_TEST_PAUSE_BEFORE_RENAME");
    long ms = env ? atol(env) : 0;
    if (ms <= 0)
        return;
    if (ms > 60000)
        ms = 60000;
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Removes the temporary file and closes the directory. */
static void drop_temp(AtomicFile *f)
{
    sigset_t old;
    block_fatal_signals(&old);
    unlinkat(f->dir_fd, f->tmp_name, 0);
    __atomic_store_n(&pending_temp.armed, 0, __ATOMIC_SEQ_CST);
    restore_signals(&old);
    close(f->dir_fd);
    f->dir_fd = -1;
}

bool atomic_commit(AtomicFile *f)
{
    if (f->kind == OUTPUT_STDOUT) {
        bool ok = fflush(stdout) == 0 && !ferror(stdout);
        if (!ok)
            fprintf(stderr, "strat: error writing standard output: %s\n", strerror(errno));
        return ok;
    }
    bool replace = f->kind == OUTPUT_REPLACE;
    errno = 0;
    bool ok = fflush(f->fp) == 0 && !ferror(f->fp);
    int err = errno ? errno : EIO;
    if (ok && replace) {
        int synced_ahead = stop_syncer(&f->sink);
        if (fsync(f->sink.fd) != 0) {
            ok = false;
            err = errno;
        } else if (synced_ahead) {
            ok = false;
            err = synced_ahead;
        }
    }
    if (fclose(f->fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    f->fp = NULL;
    if (replace) {
        if (ok)
            test_pause_before_rename();
        sigset_t old;
        block_fatal_signals(&old);
        if (ok && renameat(f->dir_fd, f->tmp_name, f->dir_fd, f->base) != 0) {
            ok = false;
            err = errno;
        }
        if (!ok)
            unlinkat(f->dir_fd, f->tmp_name, 0);
        __atomic_store_n(&pending_temp.armed, 0, __ATOMIC_SEQ_CST);
        restore_signals(&old);
        if (ok) {
            /* the rename itself is durable once the directory is synced;
             * best effort (the O_PATH descriptor cannot be fsync'ed) */
            int d = openat(f->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (d >= 0) {
                fsync(d);
                close(d);
            }
        }
        close(f->dir_fd);
        f->dir_fd = -1;
    }
    if (!ok)
        cannot_write(f->path, strerror(err));
    return ok;
}

void atomic_abort(AtomicFile *f)
{
    if (f->kind == OUTPUT_STDOUT || !f->fp)
        return;
    fclose(f->fp);
    f->fp = NULL;
    if (f->kind == OUTPUT_REPLACE)
        drop_temp(f);
}
