#!/usr/bin/env python3
"""client.py - a scripted LSP client for `strat lsp`, with golden transcripts.

    python3 tests/lsp/client.py BIN CASE.script     (UPDATE=1 rewrites CASE.expected)
    python3 tests/lsp/client.py --stream CASE.script
                                 (what the script sends, as one byte stream:
                                  a seed for tests/fuzz/fuzz_lsp.c)
    python3 tests/lsp/client.py --sweep BIN CASE.script
                                 (the allocation-failure sweep: the script's
                                  messages with STRAT_FAIL_ALLOC=1, 2, ... until
                                  ten runs in a row need no failure; each run
                                  must exit 0 or 1 with nothing on stderr)

Starts `BIN lsp` in the repository root, plays the script, and writes a
transcript: each line of the script that sends (as written, before
substitution), then every message the server sent, in order, as the exact
bytes of its body (with the repository's path replaced by $ROOT), then the
exit code and anything on standard error.  The transcript must equal
CASE.expected byte for byte.  Each body received must also parse with
Python's json module (an independent reader of what our writer wrote) and
its Content-Length must be exact.

Python, not C: the json module checks the server's output against a
second implementation, and a script reads as what it tests.

Script lines (# starts a comment; `#args A B...` gives `strat lsp` arguments,
such as --today to pin the date waivers are judged against):
  send JSON          queue a message; queued messages go out in one write
                     at the next wait, close or exit (so a request and its
                     $/cancelRequest arrive together)
  raw TEXT           queue bytes as they are (\\r, \\n, \\\\ and \\xHH escapes)
  rawbig N BYTE      queue N copies of the byte BYTE (a hex number)
  chunked N          send what is queued N bytes a write, 20 ms apart
  wait id N          read until the reply to request N
  wait method M      read until a notification M
  wait diagnostics P read until publishDiagnostics for the file P
  close              close the server's standard input
  exit N             wait for the server to end; its exit code must be N
  check diagnostic P TEXT   the first diagnostic last published for P
                     spans TEXT in the client's own copy of the document
  check formatting N P      the edits of reply N, applied to the client's
                     copy of P, give what `BIN fmt -` gives
  apply N [I]        apply the WorkspaceEdit of reply N (a rename), or of
                     its code action I, as an editor does: each edit goes
                     to the server as an incremental didChange of its
                     document (which must be open), written to the
                     transcript as sent
The checks compute positions in Python, independently of the server: the
client keeps its own copy of each document it opened and changed.
In JSON: $ROOT is the repository's path, $URI(P) the file: URI of P
(relative to the repository), $TEXT(P) the contents of P as a JSON string.
"""
import json
import os
import re
import select
import subprocess
import sys
import time
import urllib.parse

TIMEOUT = 60.0    # generous: a step that should take milliseconds


class Failure(Exception):
    pass


class Client:
    def __init__(self, binary, root, args):
        self.root = root
        self.proc = subprocess.Popen([binary, "lsp"] + args, cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = b""
        self.queue = b""
        self.transcript = []
        self.stdin_open = True
        self.binary = binary
        self.docs = {}           # uri -> text, as the client holds it
        self.encoding = "utf-16"
        self.replies = {}        # id -> reply
        self.published = {}      # uri -> last diagnostics
        self.versions = {}       # uri -> the last version sent

    def offset(self, text, pos):
        """A position (in the agreed encoding) as an index into text."""
        lines = text.splitlines(True)
        line, ch = pos["line"], pos["character"]
        if line >= len(lines):
            return len(text)
        start = sum(len(x) for x in lines[:line])
        content = lines[line].rstrip("\r\n")
        units = 0
        for i, c in enumerate(content):
            n = len(c.encode("utf-16-le")) // 2 if self.encoding == "utf-16" else len(c.encode())
            if units + n > ch:
                return start + i
            units += n
        return start + len(content)

    def apply(self, text, rng, new):
        a, b = self.offset(text, rng["start"]), self.offset(text, rng["end"])
        return text[:a] + new + text[b:]

    def track(self, msg):
        """Keeps the client's copy of the documents a sent message changes."""
        method, params = msg.get("method"), msg.get("params") or {}
        if method == "textDocument/didOpen":
            td = params["textDocument"]
            self.docs[td["uri"]] = td["text"]
            self.versions[td["uri"]] = td.get("version", 0)
        elif method == "textDocument/didChange":
            uri = params["textDocument"]["uri"]
            self.versions[uri] = params["textDocument"].get("version", 0)
            for c in params["contentChanges"]:
                self.docs[uri] = (self.apply(self.docs[uri], c["range"], c["text"])
                                  if "range" in c else c["text"])

    def uri(self, rel):
        return "file://" + urllib.parse.quote(os.path.join(self.root, rel))

    def expand(self, text):
        def text_of(m):
            with open(os.path.join(self.root, m.group(1)), encoding="utf-8") as f:
                return json.dumps(f.read(), ensure_ascii=False)
        text = re.sub(r"\$TEXT\(([^)]*)\)", text_of, text)
        text = re.sub(r"\$URI\(([^)]*)\)", lambda m: self.uri(m.group(1)), text)
        return text.replace("$ROOT", self.root)

    def queue_message(self, body):
        try:
            self.track(json.loads(body))
        except (ValueError, AttributeError, KeyError, TypeError):
            pass                 # a malformed message on purpose
        data = body.encode("utf-8")
        self.queue += b"Content-Length: %d\r\n\r\n" % len(data) + data

    def flush(self, chunk=0):
        if not self.queue or not self.stdin_open:
            self.queue = b""
            return
        try:
            if chunk:
                for i in range(0, len(self.queue), chunk):
                    self.proc.stdin.write(self.queue[i:i + chunk])
                    self.proc.stdin.flush()
                    time.sleep(0.02)
            else:
                self.proc.stdin.write(self.queue)
                self.proc.stdin.flush()
        except BrokenPipeError:
            raise Failure("the server closed its input")
        self.queue = b""

    def read_some(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("timed out")
        ready, _, _ = select.select([self.proc.stdout], [], [], left)
        if not ready:
            raise Failure("timed out")
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        self.buf += data
        return True

    def next_message(self, deadline):
        """One message body, or None at the end of output."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                header = self.buf[:end].decode("ascii")
                m = re.fullmatch(r"Content-Length: (\d+)", header)
                if not m:
                    raise Failure("bad header from the server: %r" % header)
                n = int(m.group(1))
                if len(self.buf) >= end + 4 + n:
                    body = self.buf[end + 4:end + 4 + n]
                    self.buf = self.buf[end + 4 + n:]
                    try:
                        msg = json.loads(body.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError) as e:
                        raise Failure("the server sent invalid JSON (%s): %r" % (e, body))
                    self.note(msg)
                    text = body.decode("utf-8").replace(self.root, "$ROOT")
                    text = text.replace(urllib.parse.quote(self.root), "$ROOT")
                    self.transcript.append("<- " + text)
                    return msg
            if not self.read_some(deadline):
                if self.buf:
                    raise Failure("the server's output ends inside a message")
                return None

    def note(self, msg):
        if not isinstance(msg, dict):
            return
        if "method" not in msg and "id" in msg:
            self.replies[str(msg["id"])] = msg
            result = msg.get("result")
            if isinstance(result, dict) and "capabilities" in result:
                self.encoding = result["capabilities"].get("positionEncoding", "utf-16")
        if msg.get("method") == "textDocument/publishDiagnostics":
            self.published[msg["params"]["uri"]] = msg["params"]["diagnostics"]

    def check(self, rest):
        kind, _, args = rest.partition(" ")
        if kind == "diagnostic":
            path, _, want = args.partition(" ")
            uri = self.uri(path)
            diags = self.published.get(uri)
            if not diags:
                raise Failure("no diagnostic published for %s" % path)
            r = diags[0]["range"]
            text = self.docs[uri]
            got = text[self.offset(text, r["start"]):self.offset(text, r["end"])]
            if got != want:
                raise Failure("the diagnostic spans %r, not %r" % (got, want))
        elif kind == "formatting":
            rid, _, path = args.partition(" ")
            uri = self.uri(path)
            text = self.docs[uri]
            # edits apply to the original text, the last first
            edits = sorted(self.replies[rid]["result"],
                           key=lambda e: (self.offset(text, e["range"]["start"])), reverse=True)
            for e in edits:
                text = self.apply(text, e["range"], e["newText"])
            want = subprocess.run([self.binary, "fmt", "-"], input=self.docs[uri].encode(),
                                  capture_output=True, cwd=self.root).stdout.decode()
            if text != want:
                raise Failure("the formatting edits give\n%s\nnot\n%s" % (text, want))
            self.docs[uri] = text
        else:
            raise Failure("unknown check `%s`" % kind)

    def apply_edit(self, rest):
        args = rest.split()
        result = self.replies[args[0]]["result"]
        edit = result[int(args[1])]["edit"] if len(args) > 1 else result
        for uri, edits in edit["changes"].items():
            if uri not in self.docs:
                raise Failure("an edit of %s, which is not open" % uri)
            # the last first, so that earlier ranges still hold
            text = self.docs[uri]
            order = sorted(edits, key=lambda e: self.offset(text, e["range"]["start"]),
                           reverse=True)
            msg = {"jsonrpc": "2.0", "method": "textDocument/didChange",
                   "params": {"textDocument": {"uri": uri,
                                               "version": self.versions.get(uri, 0) + 1},
                              "contentChanges": [{"range": e["range"], "text": e["newText"]}
                                                 for e in order]}}
            body = json.dumps(msg, ensure_ascii=False)
            text = body.replace(self.root, "$ROOT")
            self.transcript.append("-> " + text.replace(urllib.parse.quote(self.root), "$ROOT"))
            self.queue_message(body)

    def wait(self, what, arg):
        self.flush()
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = self.next_message(deadline)
            if msg is None:
                raise Failure("the server ended while waiting for %s %s" % (what, arg))
            if what == "id" and "method" not in msg and str(msg.get("id")) == arg:
                return
            if what == "method" and msg.get("method") == arg:
                return
            if (what == "diagnostics" and
                    msg.get("method") == "textDocument/publishDiagnostics" and
                    msg["params"]["uri"] == self.uri(arg)):
                return

    def close(self):
        self.flush()
        if self.stdin_open:
            self.proc.stdin.close()
            self.stdin_open = False

    def exit(self, code):
        self.close()
        deadline = time.monotonic() + TIMEOUT
        while self.next_message(deadline) is not None:
            pass
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("the server did not end")
        self.transcript.append("exit %d" % rc)
        if rc != int(code):
            raise Failure("exit code %d, expected %s" % (rc, code))


def unescape(text):
    """raw's escapes: \\r, \\n, \\\\ and \\xHH."""
    src = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(src):
        if src[i:i + 1] == b"\\" and i + 1 < len(src):
            c = src[i + 1:i + 2]
            if c in (b"r", b"n", b"\\"):
                out += {b"r": b"\r", b"n": b"\n", b"\\": b"\\"}[c]
                i += 2
                continue
            if c == b"x":
                out.append(int(src[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(src[i])
        i += 1
    return bytes(out)


def run(binary, script, root):
    args = []
    lines = open(script, encoding="utf-8").read().splitlines()
    for line in lines:
        if line.startswith("#args "):
            args = line[6:].split()
    client = Client(binary, root, args)
    failure = None
    try:
        for lineno, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word in ("send", "raw", "rawbig"):
                client.transcript.append("-> " + line)
            if word == "send":
                client.queue_message(client.expand(rest))
            elif word == "raw":
                client.queue += unescape(rest)
            elif word == "rawbig":
                n, byte = rest.split()
                client.queue += bytes([int(byte, 16)]) * int(n)
            elif word == "chunked":
                client.flush(int(rest))
            elif word == "wait":
                what, _, arg = rest.partition(" ")
                client.wait(what, arg)
            elif word == "close":
                client.close()
            elif word == "exit":
                client.exit(rest)
            elif word == "check":
                client.check(rest)
            elif word == "apply":
                client.transcript.append("-> " + line)
                client.apply_edit(rest)
            else:
                raise Failure("%s:%d: unknown step `%s`" % (script, lineno, word))
    except Failure as e:
        failure = str(e)
    if client.proc.poll() is None:
        client.proc.kill()
        client.proc.wait()
    err = client.proc.stderr.read().decode("utf-8", "replace")
    if err:
        client.transcript.append("stderr: " + err.replace(root, "$ROOT"))
    return "\n".join(client.transcript) + "\n", failure


def script_messages(script, root, fuzz, groups=False):
    """What the script sends, one byte string a message (rawbig left out),
    or with groups=True one a group of messages sent together (up to a
    wait, close or exit); paths under /fuzz for the fuzzer's seeds."""
    client = Client.__new__(Client)
    client.root = root
    client.docs = {}
    client.queue = b""
    messages = []
    for line in open(script, encoding="utf-8").read().splitlines():
        word, _, rest = line.partition(" ")
        if word == "send":
            text = client.expand(rest)
            client.queue_message(text.replace(root, "/fuzz") if fuzz else text)
        elif word == "raw":
            client.queue += unescape(rest)
        if client.queue and (not groups or word in ("wait", "close", "exit")):
            messages.append(client.queue)
            client.queue = b""
    return messages


def stream(script, root):
    """The bytes the script sends, after a first byte 0xff: fuzz_lsp
    reads up to 256 bytes at a time."""
    sys.stdout.buffer.write(b"\xff" + b"".join(script_messages(script, root, True)))
    return 0


def sweep(binary, script, root):
    """Fails allocation N for N = 1, 2, ... (STRAT_FAIL_ALLOC: that request
    and every later one) until a run needs no failure."""
    groups = script_messages(script, root, False, groups=True)
    bad = clean = 0
    for n in range(1, 100000):
        env = dict(os.environ, STRAT_FAIL_ALLOC=str(n))
        proc = subprocess.Popen([binary, "lsp", "--today", "2027-01-15"], cwd=root,
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        out = b""
        try:
            for g in groups:
                proc.stdin.write(g)
                proc.stdin.flush()
                # as the script waits: for the server's answer (whatever it
                # is under failing allocations), so that it goes idle and
                # checks the documents between groups
                if select.select([proc.stdout], [], [], 5.0)[0]:
                    out += os.read(proc.stdout.fileno(), 1 << 20)
        except BrokenPipeError:
            pass                     # it ended (the first allocation failed)
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        out += proc.stdout.read()
        err = proc.stderr.read()
        proc.wait(timeout=TIMEOUT)
        if proc.returncode not in (0, 1) or err:
            bad += 1
            print("FAIL STRAT_FAIL_ALLOC=%d: exit %d\n%s" % (n, proc.returncode,
                                                           err.decode("utf-8", "replace")[:2000]))
        # how many requests a session makes depends on how the messages
        # fall into batches: done after ten runs in a row that failed none
        clean = clean + 1 if b"out of memory" not in out and proc.returncode == 0 else 0
        if clean == 10:
            print("allocation sweep: %d failure points, %d bad" % (n - 10, bad))
            return 1 if bad else 0
    return 1


def main():
    root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    if sys.argv[1] == "--stream":
        return stream(sys.argv[2], root)
    if sys.argv[1] == "--sweep":
        return sweep(os.path.abspath(sys.argv[2]), sys.argv[3], root)
    binary, script = sys.argv[1], sys.argv[2]
    binary = os.path.abspath(binary)
    transcript, failure = run(binary, script, root)
    expected_path = script.rsplit(".", 1)[0] + ".expected"
    if os.environ.get("UPDATE") == "1":
        with open(expected_path, "w", encoding="utf-8") as f:
            f.write(transcript)
    if failure:
        sys.stdout.write(transcript)
        print("FAIL: %s" % failure)
        return 1
    try:
        expected = open(expected_path, encoding="utf-8").read()
    except FileNotFoundError:
        expected = ""
    if transcript != expected:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True),
                                                   transcript.splitlines(True),
                                                   expected_path, "transcript"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
