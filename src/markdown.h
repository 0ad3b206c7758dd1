/* markdown.h — text written into Markdown that GitHub renders (a pull
 * request comment), shown as written: see markdown.c. */
#ifndef STRAT_MARKDOWN_H
#define STRAT_MARKDOWN_H

#include <stdbool.h>
#include <stdio.h>

/* Writes s as inline Markdown text that renders as exactly its characters
 * (control characters, newlines included, become spaces): no HTML, link,
 * image, autolink, @mention, issue reference, emphasis or math, and no `|`
 * that ends a table cell.  For after other text on a line or in a table
 * cell (it does not guard against a heading or list marker at the start
 * of a line). */
void md_text(FILE *out, const char *s);

/* Writes s as a code span (shown verbatim, nothing in it is a link or a
 * mention); in_table: inside a table cell, where `|` must be escaped. */
void md_code(FILE *out, const char *s, bool in_table);

#endif
