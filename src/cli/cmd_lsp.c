/* cmd_lsp.c — `strat lsp`: the language server on standard input and
 * output (src/lsp/; docs/lsp.md). */
#include <signal.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "commands.h"
#include "lsp.h"

int cmd_lsp(CliOptions *o)
{
    /* a client that goes away is a failed write, not a death by SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    /* Every check builds a fresh compilation and frees it.  By default
     * glibc gives its large blocks back to the kernel (mmap, trim), so the
     * next check faults every page in again: half the CPU time of a check
     * of a 10,000-service strategy (docs/performance.md, "Language
     * server").  A long-running server keeps them: blocks up to 32 MiB come
     * from the heap, and the heap is not trimmed below 1 GiB. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    LspFds fds = {STDIN_FILENO, STDOUT_FILENO};
    LspIo io = lsp_io_fds(&fds);
    return lsp_serve(&o->lib, cli_allocator(o), &io);
}
