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

#include <stdarg.h>
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

/* Cascade control: true when `name` is declared by a declaration a
 * syntax error broke, so a reference to it must not be reported as
 * undefined (the syntax error is the root cause). */
bool diag_name_poisoned(const Compilation *c, Name name);
/* The same, or an import failed (the name may be in the missing file):
 * callers skip reporting `name` as undefined when this is true. */
bool diag_undefined_silenced(Compilation *c, Name name);

/* The fix-its of the diagnostics so far, for strat_fixes (strat.h). */
size_t diag_fixes(const Compilation *c, strat_fix *out, size_t max);

/* True when an error so far stops evaluation (c->nblocking): the program
 * is not runnable, whatever the findings. */
bool diag_blocked(const Compilation *c);

/* Prints every diagnostic gathered so far, sorted; color only for TEXT.
 * Arms its own out-of-memory jump (it may run after a failure). */
void diag_print(Compilation *c, FILE *out, strat_diag_format fmt, bool color);

/* Every diagnostic so far, sorted as printed (file, position, order
 * found); an array of c->diags.len in the arena. */
Diag **diag_sorted(Compilation *c);

/* One line to the caller's log (strat_set_log), if any: the library's only
 * way to say something outside diagnostics and outputs (it never writes to
 * stderr).  printf-style; cut at 511 bytes. */
void diag_log(Compilation *c, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_vlog(Compilation *c, const char *kind, const char *fmt, va_list ap);


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
 * an unknown or unsettable check is an S0917 error without a place. */
void diag_lint_from_options(Compilation *c);

/* --verbose: how long a stage took, to the log ("time", "check 12.3 ms"). */
void verbose_time(Compilation *c, const char *stage, double since);
double now_ms(void);

#endif
