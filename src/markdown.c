/*
 * markdown.c — strategy text made literal in GitHub-flavoured Markdown.
 *
 * `strat decide --format md` and `strat diff --format md` write pull
 * request comments, and much of what they hold comes from the strategy: a
 * `because`, a title, a name, an attribute's value, a file name.  Whoever
 * opens the pull request writes those, so each is passed through md_text
 * (or md_code) and shows as the characters it is, rendering as nothing
 * else.  Two kinds of markup are closed:
 *
 *   - Markdown syntax (cmark-gfm): `\` escapes the punctuation that would
 *     start emphasis, strikethrough, code, a link or an image (`[`, `]`),
 *     or end a table cell (`|`).  `<` and `&` become entities: no raw HTML
 *     (`<script>`, `<img>`), no `<http://...>` autolink, no entity of the
 *     author's own (`&#64;`); a `>` alone starts nothing inline.  A `$`,
 *     which could open math, is written `<span>$</span>` as GitHub's help
 *     advises.
 *   - Patterns found in the text itself, where a backslash no longer is:
 *     GFM's bare autolinks (`http://...`, `www.`, an e-mail address) and,
 *     after the Markdown, GitHub's @mentions (which notify a user or a
 *     whole team) and issue references (`#12`, `GH-12`).  A zero-width
 *     space (`&#8203;`) after the `@`, the `#`, the `GH-`, the `:` of `://`
 *     and the `www` breaks each pattern and shows nothing: `@team` still
 *     reads `@team` but notifies nobody (Dependabot and Renovate write
 *     mentions in release notes the same way).
 *
 * Newlines and other control characters become spaces: a table row is one
 * line, and a line break could end the cell or start a block.
 */
#include "markdown.h"

#include <ctype.h>
#include <string.h>

static const char zero_width_space[] = "&#8203;";

static bool starts_with_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix)
            return false;
    return true;
}

void md_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f) {
            fputc(' ', out);
        } else if (ch == '<') {
            fputs("&lt;", out);
        } else if (ch == '&') {
            fputs("&amp;", out);
        } else if (ch == '@') {
            fputc('@', out);
            fputs(zero_width_space, out);
        } else if (ch == '#') {
            /* \# also keeps a heading's text from ending in a closing `#` */
            fputs("\\#", out);
            if (isalnum((unsigned char)p[1]))
                fputs(zero_width_space, out);
        } else if (ch == ':' && p[1] == '/' && p[2] == '/') {
            fputc(':', out);
            fputs(zero_width_space, out);
        } else if ((ch == 'w' || ch == 'W') && starts_with_nocase(p, "www.")) {
            fwrite(p, 1, 3, out);
            fputs(zero_width_space, out);
            p += 2;
        } else if ((ch == 'g' || ch == 'G') && starts_with_nocase(p, "gh-") &&
                   isdigit((unsigned char)p[3])) {
            fwrite(p, 1, 2, out);
            fputs("\\-", out);
            fputs(zero_width_space, out);
            p += 2;
        } else if (ch == '$') {
            /* what GitHub's help gives for a dollar that is not math */
            fputs("<span>$</span>", out);
        } else {
            if (strchr("\\`*_[]|~", ch))
                fputc('\\', out);
            fputc(ch, out);
        }
    }
}

void md_code(FILE *out, const char *s, bool in_table)
{
    /* a fence of one backtick more than the longest run inside */
    int run = 0, longest = 0;
    size_t len = strlen(s);
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    /* a space inside each fence when the text starts or ends with a
     * backtick, or with a space at both ends (Markdown strips one of each
     * pair), or is empty (`` is not a code span) */
    bool pad = longest || len == 0 || (s[0] == ' ' && s[len - 1] == ' ');
    for (int i = 0; i <= longest; i++)
        fputc('`', out);
    if (pad)
        fputc(' ', out);
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f) {
            fputc(' ', out);
            continue;
        }
        if (in_table && ch == '|') {
            /* GFM reads \| in a cell as |, even in a code span */
            fputs("\\|", out);
            continue;
        }
        fputc(ch, out);
        /* `\` then our `\|` would read as an escaped backslash followed by
         * a cell boundary: a zero-width space between (a code span shows
         * it as nothing) */
        if (in_table && ch == '\\' && p[1] == '|')
            fputs("\xE2\x80\x8B", out);
    }
    if (pad)
        fputc(' ', out);
    for (int i = 0; i <= longest; i++)
        fputc('`', out);
}
