/*
 * diag.h — recording diagnostics and printing them (diag.c), and the
 * --verbose stage timings.
 *
 * Every diagnostic has a code of diag_codes.def, which also says whether
 * an error of that code stops the program from being run (BLOCKS) or is a
 * finding about a portfolio that still runs (FINDING): see diag_blocks.
 */
#ifndef STRAT_DIAG_H
#define STRAT_DIAG_H

#include <stdio.h>

#include "compiler.h"

typedef struct DiagInfo {
    const char *code;
    const char *name;    /* the check's snake_case name: orphan_service */
    Severity severity;
    const char *title;
    const char *help;
    bool blocks;         /* an error of this code stops evaluation */
} DiagInfo;

const DiagInfo *diag_info(DiagCode code);

/* Records a diagnostic; printf-style message. */
Diag *diag_at(Compilation *c, DiagCode code, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diag *diag_sev(Compilation *c, DiagCode code, Severity sev, Loc loc,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_note(Compilation *c, Diag *d, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_hint(Compilation *c, Diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attaches a fix-it to `d`: the bytes of `loc` become `text` (copied). */
void diag_fix(Compilation *c, Diag *d, Loc loc, const char *text, bool machine_applicable);

/* True when an error so far stops evaluation (c->nblocking): the program
 * is not runnable, whatever the findings. */
bool diag_blocked(const Compilation *c);

/* Prints every diagnostic gathered so far, sorted; color only for TEXT.
 * Arms its own out-of-memory jump (it may run after a failure). */
void diag_print(Compilation *c, FILE *out, strat_diag_format fmt, bool color);

/* ---- lint levels (DESIGN 5.1, docs/language.md "Lint levels") ----------------
 * A check whose default severity is warning or note can be allowed (its
 * diagnostics are dropped, counted in nallowed), warned (kept a warning) or
 * denied (made an error, a finding: the program still runs).  Levels come
 * from the command line (opts.lint), over the strategy's `lint` block, over
 * the default; an entity's `allow = [...]` silences checks on diagnostics
 * located inside that entity's declaration.  Errors cannot be set. */
typedef enum LintLevel { LINT_DEFAULT, LINT_ALLOW, LINT_WARN, LINT_DENY } LintLevel;

/* The code a check name (orphan_service) or code (S0707) names, or -1. */
int diag_find_check(const char *name_or_code, size_t len);
/* True when the check's level may be set: its default is not an error. */
bool diag_lintable(DiagCode code);
/* Sets the file's level of a check (the command line's come from opts). */
void diag_set_file_lint(Compilation *c, DiagCode code, LintLevel level);
/* Silences `code` on diagnostics inside `span` (an entity's `allow`). */
void diag_allow_within(Compilation *c, Loc span, DiagCode code);
/* Reads opts.lint into the compilation (once, before any check runs);
 * an unknown or unsettable check is an S0915 error without a place. */
void diag_lint_from_options(Compilation *c);

/* --verbose: how long a stage took, on stderr ("strat: time: check 12.3 ms"). */
void verbose_time(Compilation *c, const char *stage, double since);
double now_ms(void);

#endif
