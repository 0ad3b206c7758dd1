/* cmd_check.c — `strat check`: diagnostics only.  cli_compile decides too
 * (strat_decide), since the program's run gives findings of its own: rule
 * and limit violations, scores that are not numbers.
 *
 * What is compiled (project.c finds the entries):
 *   - `strat check FILES...`: the files, as one strategy; except when none
 *     of them has a `strategy` block and each is imported by an entry file
 *     (a file with one) of its project: then each such entry is checked,
 *     so the files are checked in their strategy's context (an editor's
 *     :make on the file being edited);
 *   - `strat check` alone: every entry file under the current directory,
 *     each as its own strategy.
 * Several compilations print one after another; the JSON and SARIF
 * documents are merged into one (see merge_documents), each diagnostic
 * once. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "project.h"

static strat_diag_format diag_format(const char *name)
{
    if (name && strcmp(name, "json") == 0)
        return STRAT_DIAG_JSON;
    if (name && strcmp(name, "sarif") == 0)
        return STRAT_DIAG_SARIF;
    if (name && strcmp(name, "github") == 0)
        return STRAT_DIAG_GITHUB;
    return STRAT_DIAG_TEXT;
}

/* A copy of the library's entry list (strat_find_entries), each path
 * shown as project_shown_path shows it; false when out of memory. */
static bool copy_entries(const char *const *paths, size_t n, bool relative, ProjectList *out)
{
    out->paths = calloc(n + 1, sizeof *out->paths);
    if (!out->paths)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!(out->paths[out->n] = project_shown_path(paths[i], relative))) {
            project_list_free(out);
            return false;
        }
        out->n++;
    }
    return true;
}

/* The entries that import the files named, when none of those has a
 * `strategy` block and each is imported by some entry; else none (the
 * files are checked as they are).  False when out of memory. */
static bool importing_entries(CliOptions *o, ProjectList *out)
{
    out->paths = NULL;
    out->n = 0;
    strat_compilation *scan = cli_new(o);
    if (!scan)
        return false;
    size_t cap = 0;
    bool fine = true;
    for (int i = 0; i < o->nfiles && fine; i++) {
        /* `-`, a file that is not there, not a regular one or reached
         * through a link, a file with a strategy block, a file no entry
         * imports: the files as they are (the check says what is wrong,
         * and confines what a link leads to) */
        const char *const *found = NULL;
        size_t nfound = 0;
        fine = strcmp(o->files[i], "-") == 0 ||
               strat_find_importers(scan, o->files[i], &found, &nfound) == STRAT_OK;
        if (!fine || nfound == 0) {
            project_list_free(out);
            break;
        }
        bool relative = o->files[i][0] != '/';
        for (size_t k = 0; k < nfound && fine; k++) {
            char *shown = project_shown_path(found[k], relative);
            bool dup = !shown;
            for (size_t j = 0; shown && j < out->n; j++)
                dup |= strcmp(out->paths[j], shown) == 0;
            if (!dup && out->n == cap) {
                cap = cap ? 2 * cap : 4;
                char **grown = realloc(out->paths, cap * sizeof *grown);
                if (!grown)
                    fine = false;
                else
                    out->paths = grown;
            }
            if (dup || !fine)
                free(shown);
            else
                out->paths[out->n++] = shown;
            fine &= shown != NULL;
        }
        if (!fine)
            project_list_free(out);
    }
    strat_free(scan);
    return fine;
}

/* Every entry under the current directory, shown relative to it. */
static bool all_entries(CliOptions *o, ProjectList *out)
{
    out->paths = NULL;
    out->n = 0;
    char *top = realpath(".", NULL);
    strat_compilation *scan = top ? cli_new(o) : NULL;
    const char *const *found = NULL;
    size_t n = 0;
    bool fine = scan && strat_find_entries(scan, top, NULL, &found, &n) == STRAT_OK &&
                copy_entries(found, n, true, out);
    strat_free(scan);
    free(top);
    return fine;
}

/* ---- one document from several ---------------------------------------------
 *
 * diag.c writes one diagnostic (JSON) or result (SARIF) a line, so the
 * documents of several compilations merge line by line: the first one's
 * head, then the lines of every one, each distinct line once (a file two
 * entries import reports the same problem in both), then the tail. */

typedef struct Lines {
    char **items;
    size_t n, cap;
    size_t *slots;                /* hash set: index + 1 of an item, 0 free */
    size_t nslots;                /* a power of two, over twice n */
} Lines;

static size_t line_hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603u;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* Adds the line unless an equal one is there; false when out of memory. */
static bool lines_add(Lines *l, const char *start, size_t len)
{
    if (len && start[len - 1] == ',')
        len--;                    /* the separator is written afresh */
    if (2 * (l->n + 1) > l->nslots) {
        size_t nslots = l->nslots ? 2 * l->nslots : 256;
        size_t *slots = calloc(nslots, sizeof *slots);
        if (!slots)
            return false;
        for (size_t i = 0; i < l->n; i++) {
            size_t h = line_hash(l->items[i], strlen(l->items[i])) & (nslots - 1);
            while (slots[h])
                h = (h + 1) & (nslots - 1);
            slots[h] = i + 1;
        }
        free(l->slots);
        l->slots = slots;
        l->nslots = nslots;
    }
    size_t h = line_hash(start, len) & (l->nslots - 1);
    for (; l->slots[h]; h = (h + 1) & (l->nslots - 1)) {
        const char *item = l->items[l->slots[h] - 1];
        if (strlen(item) == len && memcmp(item, start, len) == 0)
            return true;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return false;
        l->items = grown;
        l->cap = cap;
    }
    char *copy = strndup(start, len);
    if (!copy)
        return false;
    l->items[l->n++] = copy;
    l->slots[h] = l->n;
    return true;
}

static void lines_write(FILE *out, const Lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        fprintf(out, "%s%s", i ? ",\n" : "\n", l->items[i]);
}

static void lines_free(Lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    free(l->slots);
}

static bool merge_documents(FILE *out, strat_diag_format fmt, char **docs, size_t n)
{
    /* JSON: `    {` a diagnostic; SARIF: `      {"ruleId"` a result and
     * `        {"level"` a note of the run (a code past its cap) */
    const char *item = fmt == STRAT_DIAG_JSON ? "    {" : "      {\"ruleId\"";
    const char *note = fmt == STRAT_DIAG_JSON ? NULL : "        {\"level\"";
    Lines items = {0}, notes = {0};
    bool fine = true;
    for (size_t d = 0; d < n && fine; d++)
        for (const char *p = docs[d]; *p && fine;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (strncmp(p, item, strlen(item)) == 0)
                fine = lines_add(&items, p, len);
            else if (note && strncmp(p, note, strlen(note)) == 0)
                fine = lines_add(&notes, p, len);
            p += len + (nl != NULL);
        }
    if (fine) {
        const char *head_end = strstr(docs[0], fmt == STRAT_DIAG_JSON ? "\"diagnostics\": ["
                                                                      : "\"results\": [");
        fwrite(docs[0], 1, (size_t)(strchr(head_end, '[') + 1 - docs[0]), out);
        lines_write(out, &items);
        if (fmt == STRAT_DIAG_JSON) {
            fputs(items.n ? "\n  ]\n}\n" : "]\n}\n", out);
        } else {
            fputs(items.n ? "\n    ]" : "]", out);
            if (notes.n) {
                fputs(",\n    \"invocations\": [{\"executionSuccessful\": true, "
                      "\"toolExecutionNotifications\": [", out);
                lines_write(out, &notes);
                fputs("\n    ]}]", out);
            }
            fputs("\n  }]\n}\n", out);
        }
    }
    lines_free(&items);
    lines_free(&notes);
    return fine;
}

/* ---- the command -------------------------------------------------------------- */

/* The files of the project among c's sources (not the stdlib). */
static size_t project_file_count(const strat_compilation *c)
{
    size_t n = 0;
    strat_file f;
    for (size_t k = 0; strat_file_get(c, k, &f); k++)
        n += !f.is_stdlib;
    return n;
}

int cmd_check(CliOptions *o)
{
    strat_diag_format fmt = diag_format(o->format);
    ProjectList entries = {0};
    bool project = o->nfiles == 0;
    if (!(project ? all_entries(o, &entries) : importing_entries(o, &entries))) {
        fputs("strat: out of memory\n", stderr);
        return STRAT_FAILURE;
    }
    if (project && entries.n == 0) {
        fputs("strat check: no files named, and no .strat file under the current directory "
              "has a `strategy` block\nTry `strat check --help`.\n", stderr);
        project_list_free(&entries);
        return STRAT_FAILURE;
    }
    if (!project && entries.n && !o->quiet)
        for (size_t i = 0; i < entries.n; i++) {
            if (o->nfiles == 1)
                fprintf(stderr, "strat: note: `%s` has no strategy block: checking it as part "
                                "of `%s`, which imports it\n", o->files[0], entries.paths[i]);
            else
                fprintf(stderr, "strat: note: the files named have no strategy block: "
                                "checking them as part of `%s`, which imports them\n",
                        entries.paths[i]);
        }
    /* the sets of files to compile: the entries one by one, or the files */
    size_t runs = entries.n ? entries.n : 1;
    char **docs = calloc(runs, sizeof *docs);
    size_t *doc_lens = calloc(runs, sizeof *doc_lens);
    AtomicFile out;
    bool to_file = fmt != STRAT_DIAG_TEXT;
    if (!docs || !doc_lens || (to_file && !atomic_open(&out, o->output))) {
        if (!docs || !doc_lens)
            fputs("strat: out of memory\n", stderr);
        free(docs);
        free(doc_lens);
        project_list_free(&entries);
        return STRAT_FAILURE;
    }
    int worst = STRAT_OK;
    bool broken = false;          /* out of memory: no document to write */
    size_t nfiles = 0;
    unsigned warnings = 0;
    for (size_t r = 0; r < runs && !broken; r++) {
        const char *const *files = entries.n ? (const char *const *)&entries.paths[r] : o->files;
        int nf = entries.n ? 1 : o->nfiles;
        strat_status st;
        strat_compilation *c = cli_compile(o, files, nf, &st);
        if (!c) {
            worst = STRAT_FAILURE;
            broken = true;
            break;
        }
        if (fmt == STRAT_DIAG_TEXT)
            cli_print_diags(c, o, stderr, fmt);
        else if (runs == 1 || fmt == STRAT_DIAG_GITHUB)
            cli_print_diags(c, o, out.fp, fmt);
        else {
            /* merged below into one document */
            FILE *mem = open_memstream(&docs[r], &doc_lens[r]);
            if (mem) {
                cli_print_diags(c, o, mem, fmt);
                if (fclose(mem) != 0) {
                    free(docs[r]);
                    docs[r] = NULL;
                }
            }
            if (!docs[r]) {
                fputs("strat: out of memory\n", stderr);
                st = STRAT_FAILURE;
                broken = true;
            }
        }
        if (st == STRAT_OK && o->lib.werror && strat_warning_count(c) > 0)
            st = STRAT_FINDINGS;
        nfiles += project_file_count(c);
        warnings += strat_warning_count(c);
        if ((int)st > worst)
            worst = st;
        strat_free(c);
    }
    if (to_file && runs > 1 && fmt != STRAT_DIAG_GITHUB && !broken &&
        !merge_documents(out.fp, fmt, docs, runs)) {
        fputs("strat: out of memory\n", stderr);
        worst = STRAT_FAILURE;
        broken = true;
    }
    if (to_file) {
        if (broken)
            atomic_abort(&out);
        else if (!atomic_commit(&out))
            worst = STRAT_FAILURE;
    }
    /* a person at a terminal sees that the check ran; a pipe, an editor or
     * a test sees nothing on stdout */
    if (worst == STRAT_OK && fmt == STRAT_DIAG_TEXT && !o->quiet && isatty(STDOUT_FILENO)) {
        if (runs == 1)
            printf("strat: %s: ok (%zu file%s, %u warning%s)\n",
                   entries.n ? entries.paths[0] : o->files[0], nfiles, nfiles == 1 ? "" : "s",
                   warnings, warnings == 1 ? "" : "s");
        else
            printf("strat: %zu strategies: ok (%zu files, %u warning%s)\n", runs, nfiles,
                   warnings, warnings == 1 ? "" : "s");
    }
    for (size_t r = 0; r < runs; r++)
        free(docs[r]);
    free(docs);
    free(doc_lens);
    project_list_free(&entries);
    return worst;
}
