/*
 * source.h — source files in memory (source.c): byte offsets turned into
 * line and column when a diagnostic needs them, and UTF-8 checks.
 * Reading files from disk is load.h's.
 */
#ifndef STRAT_SOURCE_H
#define STRAT_SOURCE_H

#include "compiler.h"

Source *source_get(Compilation *c, uint32_t file);   /* file = index + 1 */
LineCol source_linecol(Compilation *c, uint32_t file, uint32_t offset);
/* The inverse: the byte offset of a 1-based line and character column. */
uint32_t source_offset(Compilation *c, uint32_t file, uint32_t line, uint32_t col);
/* The text of the line holding offset, without its newline. */
Str source_line_text(Compilation *c, uint32_t file, uint32_t offset,
                     uint32_t *line_start);
/* Adds a source whose text is already in memory (copied).  Returns id. */
uint32_t source_add(Compilation *c, const char *path, const char *real,
                    const char *text, size_t len, bool is_stdlib);
/* The top of the first file the user named: where a diagnostic about the
 * strategy as a whole goes. */
Loc first_user_file(Compilation *c);

/* Just past the `quoted name` whose backquote is at text[at]: its closing
 * backquote, or, unterminated, where the lexer ends it (grammar/strat.l).
 * The scans of raw text for comments and brackets skip it: a name may
 * hold `#`, `"` and brackets. */
uint32_t source_quoted_name_end(const char *text, uint32_t at, uint32_t len);

/* Bytes in the well-formed UTF-8 sequence at text (1 for ASCII), or 0 if
 * none starts there (RFC 3629; `avail` bytes may be read). */
int utf8_sequence_len(const char *text, size_t avail);
/* 1 + the offset of the first byte that breaks UTF-8 (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF), or 0. */
uint32_t utf8_invalid_at(const char *text, size_t n);

#endif
