/*
 * position.h — LSP positions and byte offsets.
 *
 * Strat keeps a location as a byte offset into UTF-8 text; an LSP position
 * is a zero-based line and a character offset counted in the position
 * encoding agreed at initialize: UTF-16 code units (the LSP default: a
 * character above U+FFFF counts two) or UTF-8 bytes.  Lines end at "\n",
 * "\r\n" or a lone "\r", as LSP says.  A position past the end of its line
 * means the line's end; one inside a character (the middle of a surrogate
 * pair or of a UTF-8 sequence) means that character's start.  A byte that
 * is not UTF-8 counts as one unit in either encoding (it reads as U+FFFD).
 */
#ifndef STRAT_LSP_POSITION_H
#define STRAT_LSP_POSITION_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

typedef enum PosEncoding { POS_UTF16, POS_UTF8 } PosEncoding;

typedef struct LspPosition {
    uint32_t line, character;
} LspPosition;

typedef struct LspRange {
    LspPosition start, end;
} LspRange;

/* Where each line of a text starts. */
typedef struct LineIndex {
    const char *text;
    uint32_t len;
    uint32_t *starts;
    uint32_t nlines;       /* >= 1 */
} LineIndex;

void line_index_build(Arena *a, LineIndex *li, const char *text, uint32_t len);
LspPosition line_index_position(const LineIndex *li, uint32_t offset, PosEncoding enc);
uint32_t line_index_offset(const LineIndex *li, LspPosition pos, PosEncoding enc);
LspRange line_index_range(const LineIndex *li, uint32_t start, uint32_t end,
                          PosEncoding enc);

#endif
