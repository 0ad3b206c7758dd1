/*
 * digest.c — the inputs hash stamped on every decision output: SHA-256
 * over every loaded source in load order, each preceded by its length and
 * a colon (docs/language.md §18 shows how to recompute it).
 *
 * Hashing a 77 MB inventory takes about 50 ms, all of it on the critical
 * path if done at output time.  So when the caller says it will emit
 * decisions (strat_options.hash_inputs), the end of a large CSV load starts
 * a thread that hashes every source read so far while the rows are checked
 * and decided, which leaves a core free (the load itself keeps both busy);
 * the result is the same hash, only earlier.  The thread reads source texts, which
 * never change once read, and its own context; it is joined before the
 * hash is read and before the sources are freed.
 */
#include <pthread.h>
#include <stdio.h>

#include "digest.h"

enum { DIGEST_THREAD_MIN_BYTES = 1 << 20 };

static void hash_source(struct sha256_ctx *ctx, const Source *s)
{
    char len[24];
    int n = snprintf(len, sizeof len, "%u:", s->len);
    sha256_update(ctx, (size_t)n, (const uint8_t *)len);
    sha256_update(ctx, s->len, (const uint8_t *)s->text);
}

static void *digest_main(void *arg)
{
    InputDigest *d = arg;
    for (uint32_t i = 0; i < d->ntodo; i++)
        hash_source(&d->ctx, d->todo[i]);
    return NULL;
}

void digest_join(Compilation *c)
{
    InputDigest *d = &c->digest;
    if (!d->running)
        return;
    pthread_join(d->thread, NULL);
    d->running = false;
    d->done += d->ntodo;
    d->ntodo = 0;
}

void digest_start(Compilation *c)
{
    InputDigest *d = &c->digest;
    if (!c->opts.hash_inputs)
        return;
    digest_join(c);
    if (!d->started) {
        sha256_init(&d->ctx);
        d->started = true;
    }
    uint32_t n = c->sources.len - d->done;
    size_t bytes = 0;
    for (uint32_t i = d->done; i < c->sources.len; i++)
        bytes += ((Source *)c->sources.items[i])->len;
    if (bytes < DIGEST_THREAD_MIN_BYTES)
        return;   /* not worth a thread: inputs_sha256 hashes them */
    /* the thread gets its own list: c->sources may grow meanwhile */
    d->todo = arena_alloc(&c->arena, sizeof(Source *) * n);
    for (uint32_t i = 0; i < n; i++)
        d->todo[i] = c->sources.items[d->done + i];
    d->ntodo = n;
    if (pthread_create(&d->thread, NULL, digest_main, d) == 0)
        d->running = true;
    else
        d->ntodo = 0;   /* inputs_sha256 will do it */
}

const char *inputs_sha256(Compilation *c)
{
    InputDigest *d = &c->digest;
    digest_join(c);
    struct sha256_ctx ctx;
    if (d->started)
        ctx = d->ctx;
    else
        sha256_init(&ctx);
    for (uint32_t i = d->started ? d->done : 0; i < c->sources.len; i++)
        hash_source(&ctx, c->sources.items[i]);
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    char *hex = arena_alloc(&c->arena, 2 * SHA256_DIGEST_SIZE + 1);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return hex;
}
