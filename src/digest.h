/*
 * digest.h — the inputs hash stamped on every decision output (digest.c).
 */
#ifndef STRAT_DIGEST_H
#define STRAT_DIGEST_H

#include "compiler.h"

/* A large CSV's load hashes the inputs read so far on a thread meanwhile
 * (when opts.hash_inputs); join waits for it. */
void digest_start(Compilation *c);
void digest_join(Compilation *c);

/* SHA-256 (hex) over every loaded source file. */
const char *inputs_sha256(Compilation *c);

#endif
