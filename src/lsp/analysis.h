/*
 * analysis.h — what the language server asks of the library, as data.
 *
 * The seam between the protocol and the checker: analysis.c and query.c
 * (through checked.h) alone include the library's internal headers (the
 * program's types and position index); checking itself goes through the
 * public API.  Every result is allocated in the arena given, with
 * positions already in the session's encoding; nothing here knows about
 * JSON.
 */
#ifndef STRAT_LSP_ANALYSIS_H
#define STRAT_LSP_ANALYSIS_H

#include "session.h"

/* LSP DiagnosticSeverity */
enum { LSP_SEV_ERROR = 1, LSP_SEV_WARNING = 2, LSP_SEV_INFORMATION = 3, LSP_SEV_HINT = 4 };

typedef struct LspNote {
    const char *uri;
    LspRange range;
    const char *message;
} LspNote;

typedef struct LspDiagnostic {
    const char *uri;           /* the file it concerns */
    LspRange range;
    int severity;
    const char *code;          /* "S0401" */
    const char *message;       /* with its help line, if any */
    LspNote *notes;
    uint32_t nnotes;
} LspDiagnostic;

typedef struct LspAnalysis {
    LspDiagnostic *diags;      /* sorted by file, then position */
    uint32_t ndiags;
    const char **reads;        /* canonical paths of the files it read (from
                                  disk or from an open buffer) */
    uint32_t nreads;
    const char *entry;         /* the entry file it was checked through (a
                                  document with no strategy block that one
                                  imports), or NULL */
} LspAnalysis;

/* Checks the open document `uri` (its text, and its imports: open buffers
 * first, the files on disk otherwise) as `strat check` would: a document
 * with no `strategy` block through the first entry file of the project
 * that imports it (strat_find_entries), when there is one.  False with
 * *why when it could not (out of memory). */
bool lsp_analyze(LspSession *s, const char *uri, Arena *a, LspAnalysis *out,
                 const char **why);

/* The document's text in the canonical layout (`strat fmt`).  False with
 * *why when it cannot be formatted (a syntax error: *why says where). */
bool lsp_format(LspSession *s, const char *uri, Arena *a, const char **text,
                size_t *len, const char **why);

/* LSP SymbolKind values used for the outline */
enum {
    SYM_FILE = 1, SYM_MODULE = 2, SYM_NAMESPACE = 3, SYM_CLASS = 5, SYM_METHOD = 6,
    SYM_PROPERTY = 7, SYM_FIELD = 8, SYM_ENUM = 10, SYM_INTERFACE = 11,
    SYM_FUNCTION = 12, SYM_CONSTANT = 14, SYM_NUMBER = 16, SYM_BOOLEAN = 17,
    SYM_OBJECT = 19, SYM_KEY = 20, SYM_ENUM_MEMBER = 22, SYM_STRUCT = 23,
    SYM_EVENT = 24,
};

typedef struct LspSymbol {
    const char *name;
    const char *detail;        /* or NULL */
    int kind;
    LspRange range;            /* the whole declaration */
    LspRange selection;        /* its name */
    struct LspSymbol *children;
    uint32_t nchildren;
} LspSymbol;

/* The outline of the document: its declarations in order, with their
 * nested blocks (a service's risks, a stream's stages, a schema's fields,
 * the arms of decide).  Works on text with syntax errors (what the parser
 * recovered). */
bool lsp_document_symbols(LspSession *s, const char *uri, Arena *a, LspSymbol **out,
                          uint32_t *n, const char **why);

/* ---- navigation (navigation.c), on the program's position index ---------- */

typedef struct LspLocation {
    const char *uri;
    LspRange range;
} LspLocation;

typedef enum LspNavigate {
    NAV_DEFINITION,            /* where what is at pos is declared */
    NAV_REFERENCES,            /* its uses, across files */
    NAV_REFERENCES_AND_DECL    /* its uses and its declaration */
} LspNavigate;

/* Checks the document as lsp_analyze does and answers `what` about the
 * name at pos: *n locations (0 when there is no name there, or it is
 * declared nowhere, as a builtin).  False with *why when it could not. */
bool lsp_navigate(LspSession *s, const char *uri, LspPosition pos, LspNavigate what,
                  Arena *a, LspLocation **out, uint32_t *n, const char **why);

bool feature_definition(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err);
bool feature_references(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err);

/* ---- questions about the program (query.c) -------------------------------- */

typedef struct LspHover {
    const char *markdown;      /* NULL: nothing to show there */
    LspRange range;            /* what it is about */
} LspHover;

/* What the name (or diagnostic code) at pos is: a service's decision per
 * table with its arm, because and scores; a score's declaration and range
 * over the portfolio; an attribute's type, range and default; a
 * diagnostic code's documentation. */
bool lsp_hover(LspSession *s, const char *uri, LspPosition pos, Arena *a, LspHover *out,
               const char **why);

typedef struct LspEdit {
    const char *uri;
    LspRange range;
    const char *text;
} LspEdit;

typedef struct LspAction {
    const char *title;
    bool preferred;            /* a fix-it safe to apply unread */
    LspDiagnostic diag;        /* the diagnostic it answers */
    LspEdit *edits;
    uint32_t nedits;
} LspAction;

/* The quick fixes for the document's diagnostics that meet `range`: each
 * fix-it of each (strat_diag_fix), and for a rule finding (S0913) a
 * waiver block's skeleton added at the end of the document. */
bool lsp_code_actions(LspSession *s, const char *uri, LspRange range, Arena *a,
                      LspAction **out, uint32_t *n, const char **why);

/* LSP CompletionItemKind values used */
enum {
    CI_FUNCTION = 3, CI_PROPERTY = 10, CI_KEYWORD = 14, CI_REFERENCE = 18,
    CI_ENUM_MEMBER = 20,
};

typedef struct LspCompletion {
    const char *label;
    int kind;
    const char *detail;        /* or NULL */
} LspCompletion;

typedef struct LspCompletionList {
    LspCompletion *items;
    uint32_t n;
    bool incomplete;           /* more matched than were offered */
} LspCompletionList;

/* What may be written at pos, read from the text around it (which may
 * not parse) and the program: keywords at the top level; a kind's
 * attributes (built in and from its schema) in an entity's block; after
 * `attr =` or inside `attr = [`, the names of the kinds the attribute
 * takes (or its allowed symbols); in decide, the outcomes at an arm's
 * start and the scores after it.  Only names that start with the word
 * being typed. */
bool lsp_complete(LspSession *s, const char *uri, LspPosition pos, Arena *a,
                  LspCompletionList *out, const char **why);

typedef struct LspRename {
    const char *refusal;       /* why not, or NULL */
    LspEdit *edits;            /* the declaration and every use */
    uint32_t nedits;
} LspRename;

/* Renames what the name at pos denotes to `name`: its declaration and
 * every use across the strategy's files.  Refused (out->refusal) for a
 * name that is not an identifier or is reserved, and for what no file of
 * the strategy's own declares: builtins, decisions, built-in attributes,
 * CSV-loaded entities, names in the stdlib. */
bool lsp_rename(LspSession *s, const char *uri, LspPosition pos, const char *name, Arena *a,
                LspRename *out, const char **why);
/* Renaming the name at pos to `name` is also refused when `name` is that
 * of another declaration in the same namespace (another entity of any
 * kind, const, score, rule, decide table, or attribute of the kind). */

typedef struct LspRenameTarget {
    const char *refusal;       /* why it cannot be renamed, or NULL */
    LspRange range;            /* the name at the position */
    const char *placeholder;   /* the name */
} LspRenameTarget;

/* Whether the name at pos can be renamed (as lsp_rename refuses, the new
 * name aside): its range and text, or the refusal. */
bool lsp_prepare_rename(LspSession *s, const char *uri, LspPosition pos, Arena *a,
                        LspRenameTarget *out, const char **why);

typedef struct LspWorkspaceSymbol {
    const char *name;
    int kind;                  /* SymbolKind */
    const char *container;     /* "service", "score", ... */
    const char *uri;
    LspRange range;
} LspWorkspaceSymbol;

/* The declarations whose names contain `query` (ignoring case) in the
 * strategies of the open documents (each checked in its context): every
 * entity (CSV rows too), score, rule and const outside the stdlib. */
bool lsp_workspace_symbols(LspSession *s, const char *query, Arena *a,
                           LspWorkspaceSymbol **out, uint32_t *n, const char **why);

typedef struct LspLens {
    LspRange range;            /* a service's name */
    const char *title;         /* its decision in each table */
} LspLens;

/* A lens over each service declared in the document: its decision and
 * rank in each decision table. */
bool lsp_code_lenses(LspSession *s, const char *uri, Arena *a, LspLens **out, uint32_t *n,
                     const char **why);

bool feature_hover(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool feature_completion(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err);
bool feature_rename(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool feature_prepare_rename(LspSession *s, const JsonValue *params, JsonWriter *w,
                            LspError *err);
bool feature_workspace_symbols(LspSession *s, const JsonValue *params, JsonWriter *w,
                               LspError *err);
bool feature_code_lens(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool feature_code_action(LspSession *s, const JsonValue *params, JsonWriter *w,
                         LspError *err);

#endif
