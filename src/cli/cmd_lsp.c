/* cmd_lsp.c — `strat lsp`: the language server on standard input and
 * output (src/lsp/; docs/lsp.md). */
#include <signal.h>
#include <unistd.h>

#include "commands.h"
#include "lsp.h"

int cmd_lsp(CliOptions *o)
{
    /* a client that goes away is a failed write, not a death by SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    LspFds fds = {STDIN_FILENO, STDOUT_FILENO};
    LspIo io = lsp_io_fds(&fds);
    return lsp_serve(&o->lib, cli_allocator(o), &io);
}
