/*
 * checked.h — a document checked and decided in its strategy's context,
 * for the requests that read the program (analysis.c makes it; query.c,
 * navigation and the requests on positions read it).  Internal to the
 * language server's seam with the library: it includes the library's
 * program types (program.h), which only analysis.c and query.c see.
 *
 * The context: an open document that another open document imports (and
 * does not import back) is checked through that importer, as its
 * diagnostics are (doc_covered_by); any other is checked on its own.
 * Positions asked about are in the document's own text either way.
 */
#ifndef STRAT_LSP_CHECKED_H
#define STRAT_LSP_CHECKED_H

#include "analysis.h"
#include "compiler.h"
#include "program.h"

/* Maps a compilation's files to URIs and line indexes, built lazily. */
typedef struct Files {
    LspSession *s;
    strat_compilation *c;
    Arena *a;
    Document *doc;             /* the document loaded as the buffer */
    const char *doc_real;      /* the path the document was loaded under */
    const char **uris;         /* per file index, built on first use */
    LineIndex **lines;
    size_t nfiles;
} Files;

typedef struct LspChecked {
    LspSession *s;
    Arena *a;                  /* where answers are allocated */
    strat_compilation *c;      /* checked, and decided when it could be */
    Document *doc;             /* the document asked about */
    uint32_t file;             /* its source (index + 1) in c; 0: not read */
    LineIndex lines;           /* of doc's text */
    Files F;
} LspChecked;

/* Checks d in its context (above) into *k.  False with *why when out of
 * memory; *k must then not be closed. */
bool checked_open(LspSession *s, Document *d, Arena *a, LspChecked *k, const char **why);
/* checked_open of the open document at uri ("the document is not open"
 * when there is none). */
bool checked_document(LspSession *s, const char *uri, Arena *a, LspChecked *k, const char **why);
/* Frees the compilation. */
void checked_close(LspChecked *k);
/* The URI and range of a location in any file of the compilation. */
const char *checked_uri(LspChecked *k, Loc l);
LspRange checked_range(LspChecked *k, Loc l);
/* The byte offset of a position in the document's text. */
uint32_t checked_offset(const LspChecked *k, LspPosition pos);

#endif
