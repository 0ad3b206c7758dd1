/*
 * fuzz_lsp.c — libFuzzer target: the input is what a client writes to
 * `strat lsp` (headers, JSON, methods, documents and their edits), fed to
 * the server's message loop from memory.  The first byte sets how many
 * bytes each read returns at most (1 to 256), so framing is exercised
 * across every split of the stream; the rest is the stream.
 *
 * The oracle, besides no crash, leak or sanitizer report: everything the
 * server writes is a sequence of well-framed messages (`Content-Length:
 * N`, a blank line, N bytes) whose bodies are JSON objects, and the exit
 * code is 0 or 1.  Seeds: tests/lsp/*.script turned into byte streams
 * (tests/fuzz/run.sh).  Documents are checked in a private empty project
 * directory with the repository's stdlib, interpreter only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "lsp.h"
#include "json_value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Stream {
    const uint8_t *in;
    size_t len, pos, chunk;
    char *out;
    size_t out_len, out_cap;
} Stream;

static ssize_t mem_read(void *ud, char *buf, size_t n)
{
    Stream *s = ud;
    size_t k = s->len - s->pos;
    if (k > n)
        k = n;
    if (k > s->chunk)
        k = s->chunk;
    memcpy(buf, s->in + s->pos, k);
    s->pos += k;
    return (ssize_t)k;
}

static bool mem_ready(void *ud)
{
    (void)ud;
    return true;   /* all the input is there: read never waits */
}

static bool mem_write(void *ud, const char *buf, size_t n)
{
    Stream *s = ud;
    if (s->out_len + n > s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap * 2 : 4096;
        while (cap < s->out_len + n)
            cap *= 2;
        char *p = realloc(s->out, cap);
        if (!p)
            abort();
        s->out = p;
        s->out_cap = cap;
    }
    memcpy(s->out + s->out_len, buf, n);
    s->out_len += n;
    return true;
}

static void fail(const char *why, const Stream *s)
{
    fprintf(stderr, "fuzz_lsp: %s\n--- output (%zu bytes)\n%.*s\n", why, s->out_len,
            (int)(s->out_len < 4000 ? s->out_len : 4000), s->out);
    abort();
}

static void *sys_alloc(void *ud, void *p, size_t old, size_t n)
{
    (void)ud, (void)old;
    if (n == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, n);
}

/* Every message the server wrote: framed, and a JSON object. */
static void check_output(Stream *s)
{
    static const char head[] = "Content-Length: ";
    strat_allocator sys = {sys_alloc, NULL};
    jmp_buf oom;
    if (setjmp(oom))
        abort();
    size_t at = 0;
    while (at < s->out_len) {
        if (s->out_len - at < sizeof head - 1 || memcmp(s->out + at, head, sizeof head - 1))
            fail("a message without its header", s);
        at += sizeof head - 1;
        size_t n = 0;
        while (at < s->out_len && s->out[at] >= '0' && s->out[at] <= '9')
            n = n * 10 + (size_t)(s->out[at++] - '0');
        if (s->out_len - at < 4 || memcmp(s->out + at, "\r\n\r\n", 4) != 0)
            fail("a header not ended by a blank line", s);
        at += 4;
        if (s->out_len - at < n)
            fail("a body shorter than its Content-Length", s);
        Arena a;
        arena_init(&a, &sys, &oom);
        char *body = arena_strndup(&a, s->out + at, n);
        JsonError err;
        JsonValue *v = json_parse(&a, body, n, &err);
        if (!v || v->kind != JSON_OBJECT)
            fail("a body that is not a JSON object", s);
        arena_free_all(&a);
        at += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    fuzz_setup();
    Stream s = {data + 1, size - 1, 0, (size_t)data[0] + 1, NULL, 0, 0};
    LspIo io = {mem_read, mem_ready, mem_write, &s};
    strat_options o = fuzz_options();
    int code = lsp_serve(&o, NULL, &io);
    if (code != 0 && code != 1)
        fail("an exit code other than 0 or 1", &s);
    check_output(&s);
    free(s.out);
    return 0;
}
