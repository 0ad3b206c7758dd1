/*
 * layout.h — a pretty printer for the formatter (layout.c), after Wadler's
 * "prettier printer" and the document printer of Prettier.
 *
 * The formatter describes its output as a tree of documents: text, places
 * where a line may break, groups of those, and indentation.  The printer
 * lays a group out flat on one line when it fits in the width, else breaks
 * every line of that group and tries the groups inside it again.  So the
 * outermost construct breaks first and what fits stays on one line.
 */
#ifndef STRAT_LAYOUT_H
#define STRAT_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"

typedef enum DocKind {
    DOC_TEXT,        /* text without a newline */
    DOC_LINE,        /* a space, or a newline when its group breaks */
    DOC_SOFTLINE,    /* nothing, or a newline when its group breaks */
    DOC_HARDLINE,    /* always a newline; breaks every group around it */
    DOC_FRESHLINE,   /* a newline unless the line is still empty; breaks too */
    DOC_IF_BREAK,    /* text only when its group breaks (a trailing comma) */
    DOC_SUFFIX,      /* a trailing comment: printed when its line ends */
    DOC_CONCAT,      /* the children one after the other */
    DOC_GROUP,       /* flat if it fits, else broken */
    DOC_NEST,        /* the child with lines indented `nest` more */
    DOC_ALIGN,       /* the child with lines indented to the current column */
    DOC_CUSTOM       /* a group that prints itself (a long packed list) */
} DocKind;

typedef struct Doc Doc;
typedef struct Printer Printer;

/* A group whose content is too large to hold as documents (a list of a
 * million numbers): it says its flat width and prints itself either way. */
typedef struct DocCustom {
    size_t flat_width;
    /* Writes the content flat, or broken with lines at `indent` (the
     * printer's put_* calls below). */
    void (*print)(const void *data, Printer *p, bool flat, unsigned indent);
    const void *data;
} DocCustom;

struct Doc {
    DocKind kind;
    bool breaks;           /* holds a hard line: never flat */
    int nest;              /* DOC_NEST */
    uint32_t width;        /* TEXT, IF_BREAK: in characters */
    uint32_t column;       /* SUFFIX: where the author had it, 0-based */
    const char *s;         /* TEXT, IF_BREAK, SUFFIX */
    uint32_t len;
    Doc *kid;              /* GROUP, NEST, ALIGN */
    Doc **kids;            /* CONCAT */
    uint32_t n, cap;
    const DocCustom *custom;
    Doc *next_suffix;      /* the printer's queue of pending comments */
};

Doc *doc_text(Arena *a, const char *s, size_t len);
Doc *doc_str(Arena *a, const char *s);          /* NUL-terminated */
Doc *doc_spaces(Arena *a, size_t n);
Doc *doc_line(Arena *a);
Doc *doc_softline(Arena *a);
Doc *doc_hardline(Arena *a);
Doc *doc_freshline(Arena *a);
Doc *doc_if_break(Arena *a, const char *s);
Doc *doc_suffix(Arena *a, const char *s, size_t len, uint32_t column);
Doc *doc_concat(Arena *a);
void doc_add(Arena *a, Doc *concat, Doc *kid);
Doc *doc_group(Arena *a, Doc *kid);
Doc *doc_nest(Arena *a, int n, Doc *kid);
Doc *doc_align(Arena *a, Doc *kid);
Doc *doc_custom(Arena *a, const DocCustom *custom);

/* Its width on one line, or SIZE_MAX when it holds a hard line. */
size_t doc_flat_width(const Doc *d);

struct Printer {
    FILE *out;
    unsigned width;
    size_t col;            /* characters on the line, pending spaces included */
    size_t pending;        /* spaces not yet written: dropped at a line's end */
    bool has_text;         /* something but spaces on the line */
    Doc *suffixes, *suffixes_tail;
};

void printer_init(Printer *p, FILE *out, unsigned width);
/* Prints d from the printer's current position; its stacks come from the
 * arena (callers release them with the document). */
void doc_print(Printer *p, Arena *a, Doc *d);
/* For DocCustom.print and verbatim text. */
void put_text(Printer *p, const char *s, size_t len);
void put_newline(Printer *p, unsigned indent);

#endif
