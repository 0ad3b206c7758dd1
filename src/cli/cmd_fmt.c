/*
 * cmd_fmt.c — `strat fmt`: rewrite files in the canonical layout, or with
 * --check show what would change (a unified diff that `patch -p1`
 * applies) and exit 1.  --width sets the line width (strat_options).  A
 * file is read whole, up to the size limit `check` has
 * (STRAT_MAX_SOURCE_BYTES), and written back through an AtomicFile
 * (cli.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

typedef struct Text {
    char *s;
    size_t len;
} Text;

/* Reads fd to its end, at most STRAT_MAX_SOURCE_BYTES (the limit `check`
 * has too): a regular file is measured before a byte is read, anything
 * else (standard input from a pipe) is refused as soon as it passes the
 * limit.  False when it cannot (reported). */
static bool read_bounded(int fd, const char *shown, Text *t)
{
    const size_t limit = STRAT_MAX_SOURCE_BYTES;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fprintf(stderr, "strat: cannot read `%s`: %s\n", shown, strerror(errno));
        return false;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit) {
        fprintf(stderr, "strat: cannot read `%s`: is larger than %zu MiB, the limit for a "
                        "source file\n", shown, limit >> 20);
        return false;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : (size_t)1 << 16;
    t->s = malloc(cap);
    t->len = 0;
    if (!t->s) {
        fputs("strat: out of memory\n", stderr);
        return false;
    }
    for (;;) {
        if (t->len == cap) {
            /* one byte past the limit tells "too large" from "exactly at it" */
            size_t want = cap > limit / 2 ? limit + 1 : cap * 2;
            if (cap > limit) {
                fprintf(stderr, "strat: cannot read `%s`: is larger than %zu MiB, the limit "
                                "for a source file\n", shown, limit >> 20);
                return false;
            }
            char *n = realloc(t->s, want);
            if (!n) {
                fputs("strat: out of memory\n", stderr);
                return false;
            }
            t->s = n;
            cap = want;
        }
        ssize_t got = read(fd, t->s + t->len, cap - t->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fprintf(stderr, "strat: cannot read `%s`: %s\n", shown, strerror(errno));
            return false;
        }
        if (got == 0)
            return true;
        t->len += (size_t)got;
    }
}

typedef struct Lines {
    const char **at;
    size_t *len;
    size_t n;
} Lines;

static bool split_lines(const Text *t, Lines *l)
{
    size_t n = 1;
    for (size_t i = 0; i < t->len; i++)
        n += t->s[i] == '\n';
    l->at = malloc(n * sizeof *l->at);
    l->len = malloc(n * sizeof *l->len);
    if (!l->at || !l->len)
        return false;
    l->n = 0;
    size_t start = 0;
    for (size_t i = 0; i < t->len; i++)
        if (t->s[i] == '\n') {
            l->at[l->n] = t->s + start;
            l->len[l->n++] = i - start + 1;
            start = i + 1;
        }
    if (start < t->len) {
        l->at[l->n] = t->s + start;
        l->len[l->n++] = t->len - start;
    }
    return true;
}

static bool line_eq(const Lines *a, size_t i, const Lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

static void put_line(FILE *out, char mark, const char *s, size_t len)
{
    fputc(mark, out);
    fwrite(s, 1, len, out);
    if (len == 0 || s[len - 1] != '\n')
        fputs("\n\\ No newline at end of file\n", out);
}

/* One side of a hunk header: `start,count` as diff -u writes it (the
 * count left out when 1; an empty side names the line before it). */
static void put_range(FILE *out, char mark, size_t first, size_t count)
{
    if (count == 1)
        fprintf(out, " %c%zu", mark, first + 1);
    else
        fprintf(out, " %c%zu,%zu", mark, count ? first + 1 : first, count);
}

enum { CONTEXT = 3 };

/* The edit script between a and b: ops[k] is ' ' (a line of both), '-'
 * (a's line ai[k] removed) or '+' (b's line bj[k] added), in file order
 * and, in each run of changes, the removals before the additions.  The
 * common head and tail are skipped before the longest common subsequence
 * of the rest is computed; false when that table would be too large. */
typedef struct Script {
    char *op;
    size_t *ai, *bj, n;
} Script;

static bool edit_script(const Lines *a, const Lines *b, Script *sc)
{
    size_t head = 0, tail = 0;
    while (head < a->n && head < b->n && line_eq(a, head, b, head))
        head++;
    while (tail < a->n - head && tail < b->n - head &&
           line_eq(a, a->n - 1 - tail, b, b->n - 1 - tail))
        tail++;
    size_t m = a->n - head - tail, n = b->n - head - tail;
    if ((double)(m + 1) * (double)(n + 1) > 16e6)
        return false;
    size_t W = n + 1, cap = a->n + b->n + 1;
    unsigned *lcs = calloc((m + 1) * W, sizeof *lcs);
    sc->op = malloc(cap);
    sc->ai = malloc(cap * sizeof *sc->ai);
    sc->bj = malloc(cap * sizeof *sc->bj);
    if (!lcs || !sc->op || !sc->ai || !sc->bj) {
        free(lcs);
        return false;
    }
    for (size_t i = m; i-- > 0;)
        for (size_t j = n; j-- > 0;)
            lcs[i * W + j] = line_eq(a, head + i, b, head + j)
                                 ? lcs[(i + 1) * W + j + 1] + 1
                                 : (lcs[(i + 1) * W + j] > lcs[i * W + j + 1]
                                        ? lcs[(i + 1) * W + j] : lcs[i * W + j + 1]);
    size_t k = 0, i = 0, j = 0;
    for (size_t x = 0; x < head; x++)
        sc->op[k] = ' ', sc->ai[k] = x, sc->bj[k++] = x;
    while (i < m || j < n) {
        if (i < m && j < n && line_eq(a, head + i, b, head + j)) {
            sc->op[k] = ' ', sc->ai[k] = head + i++, sc->bj[k++] = head + j++;
            continue;
        }
        /* a run of changes: its removals, then its additions */
        size_t i0 = i, j0 = j;
        while ((i < m || j < n) && !(i < m && j < n && line_eq(a, head + i, b, head + j))) {
            if (j < n && (i == m || lcs[i * W + j + 1] >= lcs[(i + 1) * W + j]))
                j++;
            else
                i++;
        }
        for (size_t x = i0; x < i; x++)
            sc->op[k] = '-', sc->ai[k] = head + x, sc->bj[k++] = head + j0;
        for (size_t x = j0; x < j; x++)
            sc->op[k] = '+', sc->ai[k] = head + i, sc->bj[k++] = head + x;
    }
    for (size_t x = 0; x < tail; x++)
        sc->op[k] = ' ', sc->ai[k] = head + m + x, sc->bj[k++] = head + n + x;
    sc->n = k;
    free(lcs);
    return true;
}

/* A unified diff of old (the file at `path`) against new_, three lines of
 * context, headers `--- a/PATH` and `+++ b/PATH` (for patch -p1); a file
 * too large to compare gets a one-line notice instead. */
static void unified_diff(FILE *out, const char *path, const Text *old, const Text *new_)
{
    Lines a = {0}, b = {0};
    Script sc = {0};
    if (!split_lines(old, &a) || !split_lines(new_, &b) || !edit_script(&a, &b, &sc)) {
        fprintf(out, "%s: would be reformatted\n", path);
        goto done;
    }
    fprintf(out, "--- a/%s\n+++ b/%s\n", path, path);
    for (size_t k = 0; k < sc.n;) {
        if (sc.op[k] == ' ') {
            k++;
            continue;
        }
        /* a hunk: this change and the next ones less than 2 * CONTEXT + 1
         * unchanged lines away, with CONTEXT lines around */
        size_t s = k >= CONTEXT ? k - CONTEXT : 0, last = k, e;
        for (e = k; e < sc.n; e++) {
            if (sc.op[e] != ' ')
                last = e;
            else if (e - last > 2 * CONTEXT)
                break;
        }
        e = last + 1 + CONTEXT < sc.n ? last + 1 + CONTEXT : sc.n;
        size_t ac = 0, bc = 0;
        for (size_t x = s; x < e; x++) {
            ac += sc.op[x] != '+';
            bc += sc.op[x] != '-';
        }
        fputs("@@", out);
        put_range(out, '-', sc.ai[s], ac);
        put_range(out, '+', sc.bj[s], bc);
        fputs(" @@\n", out);
        for (size_t x = s; x < e; x++) {
            if (sc.op[x] == '+')
                put_line(out, '+', b.at[sc.bj[x]], b.len[sc.bj[x]]);
            else
                put_line(out, sc.op[x], a.at[sc.ai[x]], a.len[sc.ai[x]]);
        }
        k = e;
    }
done:
    free(sc.op);
    free(sc.ai);
    free(sc.bj);
    free(a.at);
    free(a.len);
    free(b.at);
    free(b.len);
}

void cli_unified_diff(FILE *out, const char *path, const char *old, size_t old_len,
                      const char *new_, size_t new_len)
{
    Text a = {(char *)old, old_len}, b = {(char *)new_, new_len};
    unified_diff(out, path, &a, &b);
}

/* Formats one file; 0 unchanged, 1 changed (or syntax errors), 2 failure. */
static int fmt_one(CliOptions *o, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    Text in = {0};
    strat_compilation *c = cli_new(o);
    if (!c) {
        fputs("strat: out of memory\n", stderr);
        return STRAT_FAILURE;
    }
    if (is_stdin) {
        if (!read_bounded(STDIN_FILENO, "<stdin>", &in)) {
            strat_free(c);
            free(in.s);
            return STRAT_FAILURE;
        }
    } else {
        /* the rule every file strat reads is under (the project root, no
         * symlink out of it, a regular file); the text is c's */
        const char *text;
        if (strat_read_file(c, path, &text, &in.len) != STRAT_OK) {
            if (strat_out_of_memory(c))
                fputs("strat: out of memory\n", stderr);
            cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
            strat_free(c);
            return STRAT_FAILURE;
        }
        in.s = (char *)text;
    }
    char *in_owned = is_stdin ? in.s : NULL;
    Text out = {0};
    FILE *mem = open_memstream(&out.s, &out.len);
    if (!mem) {
        fputs("strat: out of memory\n", stderr);
        strat_free(c);
        free(in_owned);
        return STRAT_FAILURE;
    }
    strat_status st = strat_format(c, is_stdin ? "<stdin>" : path, in.s, in.len, mem);
    fclose(mem);
    int rc = 0;
    if (st != STRAT_OK) {
        if (strat_out_of_memory(c))
            fputs("strat: out of memory\n", stderr);
        cli_print_diags(c, o, stderr, STRAT_DIAG_TEXT);
        rc = st;
    } else if (is_stdin) {
        fwrite(out.s, 1, out.len, stdout);
        rc = fflush(stdout) == 0 ? 0 : STRAT_FAILURE;
    } else if (out.len != in.len || memcmp(out.s, in.s, in.len) != 0) {
        if (o->check_only) {
            unified_diff(stdout, path, &in, &out);
            rc = STRAT_FINDINGS;
        } else {
            AtomicFile af;
            if (!atomic_open(&af, path)) {
                rc = STRAT_FAILURE;
            } else {
                fwrite(out.s, 1, out.len, af.fp);
                rc = atomic_commit(&af) ? 0 : STRAT_FAILURE;
                if (rc == 0 && !o->quiet)
                    fprintf(stderr, "formatted %s\n", path);
            }
        }
    }
    strat_free(c);
    free(in_owned);
    free(out.s);
    return rc;
}

int cmd_fmt(CliOptions *o)
{
    int worst = 0;
    for (int i = 0; i < o->nfiles; i++) {
        int rc = fmt_one(o, o->files[i]);
        if (rc > worst)
            worst = rc;
    }
    return worst;
}
