/*
 * framing.c — the Content-Length framing of LSP messages (see framing.h),
 * and the LspIo over file descriptors that `strat lsp` uses.
 */
#include "framing.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void frame_reader_init(FrameReader *r, LspIo *io)
{
    memset(r, 0, sizeof *r);
    r->io = io;
}

/* More bytes at buf[end]; the unread ones moved to the front first.
 * False at the end of input (or when the buffer is full). */
static bool fill(FrameReader *r)
{
    if (r->eof)
        return false;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == sizeof r->buf)
        return false;
    ssize_t n = r->io->read(r->io->ud, r->buf + r->end, sizeof r->buf - r->end);
    if (n <= 0) {
        r->eof = true;
        return false;
    }
    r->end += (size_t)n;
    return true;
}

bool frame_pending(FrameReader *r)
{
    return r->start < r->end || r->eof || r->io->ready(r->io->ud);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0, n) equals the lower-case word w, ignoring case. */
static bool equals_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n != k)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != w[i])
            return false;
    return true;
}

/* Skips to the next `Content-Length:` (any case) in the stream, leaving
 * it unread.  False at the end of input. */
static bool resync(FrameReader *r)
{
    static const char pattern[] = "content-length:";
    const size_t plen = sizeof pattern - 1;
    for (;;) {
        while (r->end - r->start >= plen) {
            const char *p = r->buf + r->start;
            if (lower(p[0]) == 'c' && equals_word(p, plen, pattern))
                return true;
            r->start++;
        }
        if (!fill(r))
            return false;
    }
}

typedef enum { LINE_OK, LINE_TOO_LONG, LINE_END } LineStatus;

/* The next line, without its "\n" or "\r\n": buf[*at, *at + *n).  It
 * stays unread: the caller moves r->start past it. */
static LineStatus next_line(FrameReader *r, size_t *at, size_t *n, size_t *taken)
{
    size_t scanned = 0;
    for (;;) {
        const char *base = r->buf + r->start;
        const char *nl = memchr(base + scanned, '\n', r->end - r->start - scanned);
        if (nl) {
            size_t len = (size_t)(nl - base);
            *taken = len + 1;
            if (len > 0 && base[len - 1] == '\r')
                len--;
            *at = r->start;
            *n = len;
            return LINE_OK;
        }
        scanned = r->end - r->start;
        if (scanned >= LSP_MAX_HEADER_BYTES)
            return LINE_TOO_LONG;
        if (!fill(r))
            return r->eof ? LINE_END : LINE_TOO_LONG;
    }
}

/* Throws away n bytes of input (a body too long to keep).  False if the
 * input ends first. */
static bool discard(FrameReader *r, uint64_t n)
{
    while (n > 0) {
        if (r->start == r->end) {
            r->start = r->end = 0;
            if (!fill(r))
                return false;
        }
        size_t avail = r->end - r->start;
        size_t k = n < avail ? (size_t)n : avail;
        r->start += k;
        n -= k;
    }
    return true;
}

/* A Content-Length value: digits, maybe surrounded by blanks. */
static bool parse_length(const char *s, size_t n, uint64_t *out)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t digits = 0;
    uint64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (++digits > 18)
            return false;          /* a exabyte is not a message */
        v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (digits == 0 || i != n)
        return false;
    *out = v;
    return true;
}

/* A Content-Type we can read: no charset, or UTF-8 (and "utf8", which
 * older clients sent). */
static bool charset_ok(const char *s, size_t n)
{
    static const char key[] = "charset=";
    for (size_t i = 0; i + sizeof key - 1 <= n; i++) {
        if (!equals_word(s + i, sizeof key - 1, key))
            continue;
        const char *v = s + i + sizeof key - 1;
        size_t vn = n - i - (sizeof key - 1);
        while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == ';' || v[vn - 1] == '\t'))
            vn--;
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
            v++, vn -= 2;
        return equals_word(v, vn, "utf-8") || equals_word(v, vn, "utf8");
    }
    return true;
}

/* An HTTP header name (RFC 9110 5.6.2: a token): junk before a header on
 * the same line makes the line no header. */
static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            return false;
    }
    return true;
}

static FrameStatus bad_header(FrameReader *r, const char **why, const char *msg)
{
    r->resync = true;
    *why = msg;
    return FRAME_BAD;
}

FrameStatus frame_read(FrameReader *r, Arena *a, char **body, size_t *len,
                       const char **why)
{
    if (r->resync) {
        if (!resync(r))
            return FRAME_END;
        r->resync = false;
    }
    uint64_t length = 0;
    bool have_length = false, seen_header = false, bad_charset = false;
    size_t header_bytes = 0;
    for (;;) {
        size_t at, n, taken;
        LineStatus ls = next_line(r, &at, &n, &taken);
        if (ls == LINE_END)
            return FRAME_END;
        if (ls == LINE_TOO_LONG) {
            r->start++;
            return bad_header(r, why, "a header line is too long");
        }
        const char *line = r->buf + at;
        header_bytes += taken;
        if (n == 0) {
            r->start += taken;
            if (!seen_header)
                continue;      /* blank lines between messages: tolerated */
            break;
        }
        seen_header = true;
        const char *colon = memchr(line, ':', n);
        if (!colon || !is_token(line, (size_t)(colon - line)) ||
            header_bytes > LSP_MAX_HEADER_BYTES) {
            /* not a header: look for the next one from the byte after its
             * start (the junk may run into a real header on this line) */
            r->start = at + 1;
            return bad_header(r, why, header_bytes > LSP_MAX_HEADER_BYTES
                                          ? "the header is too long"
                                          : "a line that is not a header");
        }
        size_t name_len = (size_t)(colon - line);
        const char *value = colon + 1;
        size_t value_len = n - name_len - 1;
        if (equals_word(line, name_len, "content-length")) {
            uint64_t v;
            if (!parse_length(value, value_len, &v) || (have_length && v != length)) {
                r->start = at + 1;
                return bad_header(r, why, "an invalid Content-Length header");
            }
            length = v;
            have_length = true;
        } else if (equals_word(line, name_len, "content-type")) {
            if (!charset_ok(value, value_len))
                bad_charset = true;
        }
        r->start += taken;
    }
    if (!have_length)
        return bad_header(r, why, "a message without a Content-Length header");
    if (bad_charset || length > LSP_MAX_MESSAGE_BYTES) {
        if (!discard(r, length))
            return FRAME_END;
        *why = bad_charset
                   ? "a message in another charset than UTF-8 (skipped)"
                   : arena_printf(a, "a message of %llu bytes, over the limit of %zu "
                                     "bytes (skipped)",
                                  (unsigned long long)length, LSP_MAX_MESSAGE_BYTES);
        return FRAME_BAD;
    }
    char *out = arena_alloc(a, (size_t)length + 1);
    size_t got = 0;
    while (got < length) {
        if (r->start == r->end) {
            r->start = r->end = 0;
            /* a long body goes straight into place, not through buf */
            if (length - got >= sizeof r->buf && !r->eof) {
                ssize_t k = r->io->read(r->io->ud, out + got, (size_t)length - got);
                if (k <= 0) {
                    r->eof = true;
                    return FRAME_END;
                }
                got += (size_t)k;
                continue;
            }
            if (!fill(r))
                return FRAME_END;
        }
        size_t avail = r->end - r->start;
        size_t k = (size_t)length - got < avail ? (size_t)length - got : avail;
        memcpy(out + got, r->buf + r->start, k);
        r->start += k;
        got += k;
    }
    out[length] = '\0';
    *body = out;
    *len = (size_t)length;
    return FRAME_MESSAGE;
}

bool frame_write(LspIo *io, const char *body, size_t len)
{
    char header[64];
    int n = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", len);
    return io->write(io->ud, header, (size_t)n) && io->write(io->ud, body, len);
}

/* ---- file descriptors ------------------------------------------------- */

static ssize_t fd_read(void *ud, char *buf, size_t n)
{
    LspFds *f = ud;
    for (;;) {
        ssize_t k = read(f->in, buf, n);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

static bool fd_ready(void *ud)
{
    LspFds *f = ud;
    struct pollfd p = {f->in, POLLIN, 0};
    int k;
    do
        k = poll(&p, 1, 0);
    while (k < 0 && errno == EINTR);
    return k > 0;   /* readable, or hung up: read will not wait */
}

static bool fd_write(void *ud, const char *buf, size_t n)
{
    LspFds *f = ud;
    while (n > 0) {
        ssize_t k = write(f->out, buf, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        buf += k;
        n -= (size_t)k;
    }
    return true;
}

LspIo lsp_io_fds(LspFds *fds)
{
    return (LspIo){fd_read, fd_ready, fd_write, fds};
}
