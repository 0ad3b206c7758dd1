/*
 * framing.h — JSON-RPC messages over a byte stream, framed as LSP frames
 * them: header lines (`Content-Length: N`, optionally `Content-Type`)
 * ended by an empty line, then N bytes of body.
 *
 * The reader never trusts the stream: reads may stop anywhere; a header
 * block without a usable length makes it skip to the next
 * `Content-Length:` it can find; a body over LSP_MAX_MESSAGE_BYTES is
 * read and thrown away without being stored.  Each such problem comes
 * back as FRAME_BAD with a sentence for the error reply.
 */
#ifndef STRAT_LSP_FRAMING_H
#define STRAT_LSP_FRAMING_H

#include "arena.h"
#include "lsp.h"

/* The largest message body kept: a document of a few tens of MiB, with
 * its escapes.  A longer one is skipped with an error reply. */
#define LSP_MAX_MESSAGE_BYTES ((size_t)64 << 20)
/* The largest header block: more is not a header. */
enum { LSP_MAX_HEADER_BYTES = 8192, FRAME_BUFFER_BYTES = 64 * 1024 };

typedef enum FrameStatus {
    FRAME_MESSAGE,     /* a body: *body, *len */
    FRAME_BAD,         /* a framing problem (*why); reading may go on */
    FRAME_END,         /* end of input (or a read error) */
} FrameStatus;

typedef struct FrameReader {
    LspIo *io;
    char buf[FRAME_BUFFER_BYTES];
    size_t start, end;         /* unread bytes: buf[start, end) */
    bool eof;
    bool resync;               /* after a bad header: find the next one */
} FrameReader;

void frame_reader_init(FrameReader *r, LspIo *io);
/* The next message.  Its body (NUL-terminated) is allocated in a. */
FrameStatus frame_read(FrameReader *r, Arena *a, char **body, size_t *len,
                       const char **why);
/* True when frame_read would not wait: bytes are buffered, or the input
 * has more (or has ended). */
bool frame_pending(FrameReader *r);

/* Writes one message: its header, then body.  False when the client has
 * gone. */
bool frame_write(LspIo *io, const char *body, size_t len);

#endif
