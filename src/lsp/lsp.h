/*
 * lsp.h — `strat lsp`, the language server: what the command line and the
 * fuzz target call.  Takes a byte stream of LSP messages (JSON-RPC 2.0
 * with Content-Length framing, LSP 3.17) and gives replies and
 * notifications on another; docs/lsp.md describes what it implements.
 *
 * The server holds all its state in one session (session.h); nothing is
 * global, so a process may run several servers (the fuzzer runs one per
 * input).
 */
#ifndef STRAT_LSP_H
#define STRAT_LSP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "strat/strat.h"

/* Where the messages come from and go to.  The command line uses file
 * descriptors (lsp_io_fds); the fuzzer a buffer in memory. */
typedef struct LspIo {
    /* Up to n bytes into buf: the count, 0 at the end of input, -1 on an
     * error.  May block until input comes. */
    ssize_t (*read)(void *ud, char *buf, size_t n);
    /* True when read would return at once (input waiting, or its end). */
    bool (*ready)(void *ud);
    /* All n bytes, or false (the client went away). */
    bool (*write)(void *ud, const char *buf, size_t n);
    void *ud;
} LspIo;

typedef struct LspFds {
    int in, out;
} LspFds;

/* An LspIo over two file descriptors (fds must outlive it). */
LspIo lsp_io_fds(LspFds *fds);

/* Serves until `exit` or the end of input.  lib gives what every check
 * uses (stdlib directory, root, today, jit...); alloc may be NULL for
 * malloc.  Returns the process exit code LSP asks for: 0 after `shutdown`
 * then `exit`, 1 otherwise. */
int lsp_serve(const strat_options *lib, const strat_allocator *alloc, LspIo *io);

#endif
