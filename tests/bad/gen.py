#!/usr/bin/env python3
"""gen.py — writes the committed hostile-input cases of tests/bad/.

    python3 tests/bad/gen.py          # (re)writes every case and its .expect

Each case is NAME.strat (or NAME.csv loaded by NAME.strat, or another file
it imports) with NAME.expect: one expected diagnostic a line, `CODE LINE:COL`
in NAME.strat or `CODE LINE:COL FILE` in another file (LINE or COL may be `*`: any;
`A | B` accepts either of two diagnostics, for a case with two right answers); every line must
appear in `strat check --format json NAME.strat` (run from this directory),
which must also exit non-zero without crashing.  Cases with a file over
48 kB are not committed: `gen.py --large DIR` writes them for bad_test.sh.  Lines starting with `#`
are comments that say what the case is about.  Cases that need the file
system at run time (symlinks, permissions, a FIFO, directories, a 1 GB
line, 100k lines of random tokens) are made by tests/bad_test.sh itself.

The cases are written by this script rather than by hand because many of
them are binary (NUL bytes, invalid UTF-8, a BOM in the middle) or large
(nesting thousands deep); an expected location is worked out from the text
so it stays right when a case changes.  Review the diff of what it writes.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
cases = {}          # name -> (files {filename: bytes}, [expect lines], comment)


def b(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def loc(text, needle, nth=0, offset=0):
    """LINE:COL (1-based, columns in characters) of needle in text."""
    text, needle = b(text), b(needle)
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    i += offset
    line = text.count(b"\n", 0, i) + 1
    start = text.rfind(b"\n", 0, i) + 1
    col = len(text[start:i].decode("utf-8", errors="replace")) + 1
    # an invalid byte counts as one character
    return "%d:%d" % (line, col)


def case(name, content, expect, comment, extra=None, main_ext=".strat"):
    files = {name + main_ext: b(content)}
    for k, v in (extra or {}).items():
        files[k] = b(v)
    assert name not in cases, name
    cases[name] = (files, expect, comment)


# ---- a small clean strategy the cases import or vary ------------------------
BASE = """\
# _base.strat — a small clean strategy that cases import (not a case itself)
strategy "Bad input base" {
  vision = "v"  horizon = 2027-01-01 .. 2027-12-31
  currency = "EUR"  budget = 10M  run_max = 70%
}
schema service {
  cost : number >= 0 = 0
  a : number = 1
  b : number = 1
}
role cio { title = "CIO" }
customer shoppers { title = "Shoppers" }
objective up { metric = "m"  baseline = 1%  target = 2%  due = 2027-12-31  weight = 1  owner = cio }
service web { owner = cio  kind = business  investment = grow  supports = [up]  customers = [shoppers]  cost = 10k }
value_stream sell { delivers = up  stage engage { services = [web] } }
"""

# a service whose numbers the case chooses, used by the score cases
def calc(a, b, extra=""):
    return ("service calc { owner = cio  kind = supporting  investment = run  "
            "supports = [up]  a = %s  b = %s%s }\n" % (a, b, extra))


def scored(score, a="1", b="1", decide_when="s1(s) > 1", prelude=""):
    return ('import "_base"\n' + prelude + calc(a, b) +
            "score s1(s) = %s\n" % score +
            "decide {\n  invest when %s\n  tolerate otherwise\n}\n" % decide_when)


# ---- nesting ----------------------------------------------------------------
for depth in (3000, 10000, 100000):
    tag = {3000: "3k", 10000: "10k", 100000: "100k"}[depth]
    text = 'import "_base"\n' + calc(1, 1) + "score deep(s) = " + "(" * depth + "1" + ")" * depth + "\n"
    case("nest_parens_%s" % tag, text,
         ["S0202 3:*"],
         "parentheses nested %d deep: nesting too deep, no stack overflow" % depth)
    text = 'import "_base"\n' + calc(1, 1) + "service deep { owner = cio  supports = " + "[" * depth + "up" + "]" * depth + " }\n"
    case("nest_lists_%s" % tag, text,
         ["S0202 3:*"],
         "lists nested %d deep" % depth)
text = 'import "_base"\n' + "score deep(s) = " + "(" * 5000 + "\n"
case("nest_parens_unclosed", text, ["S0202 2:*"],
     "5000 open parentheses and end of file")
text = 'import "_base"\n' + calc(1, 1) + "score deep(s) = " + "- " * 20000 + "1\n"
case("nest_unary_minus", text, ["S0202 3:*"],
     "20000 unary minus signs in a row")
text = 'import "_base"\n' + calc(1, 1) + "rule r (error) \"x\" = " + "not " * 20000 + "true\n"
case("nest_not", text, ["S0202 3:*"], "20000 `not` in a row")
text = 'import "_base"\n' + calc(1, 1) + "score deep(s) = " + "if true then " * 5000 + "1" + " else 0" * 5000 + "\n"
case("nest_if", text, ["S0202 3:*"], "if-then-else nested 5000 deep")
text = 'import "_base"\n' + calc(1, 1) + "score deep(s) = " + "min(" * 5000 + "1" + ", 1)" * 5000 + "\n"
case("nest_calls", text, ["S0202 3:*"], "function calls nested 5000 deep")
text = 'import "_base"\n' + calc(1, 1) + "score long(s) = 1" + " + s.a" * 100000 + "\n" + \
    "score bad(s) = 1 / 0\n"
case("long_sum", text, ["S0902 " + loc(text, "1 / 0", 0, 4)],
     "a flat sum of 100000 terms (a deep left tree for every recursive pass), "
     "then a real error after it")
text = scored("s.a / s.b" + " + 1" * 8000, a="0", b="0")
case("long_sum_8k", text, ["S1001 %s | S0202 3:*" % loc(text, "calc")],
     "a flat sum of 8000 terms, NaN for `calc`: deep enough to overflow a recursive "
     "evaluator on an 8 MB stack; either refused as too deep or evaluated to NaN")
text = ('import "_base"\n' + calc(1, 1) + "rule r (error) \"x\" = all s in service : " +
        " or ".join(["s.a == 2"] * 4000) + "\n")
case("long_or_4k", text, ["S0913 %s | S0202 3:*" % loc(text, "calc")],
     "a rule of 4000 `or` terms: either refused as too deep, or evaluated and violated by `calc`")
text = 'import "_base"\nservice wide {\n' + "".join("  a%d = 1\n" % i for i in range(200000)) + "}\n"
case("wide_block", text, ["S0405 3:3"],
     "one block of 200000 attributes (once a quadratic duplicate scan: minutes)")
text = 'import "_base"\n' + calc(1, 1) + "rule r (error) \"x\" = " + " and ".join(["s1 == 1"] * 50000) + "\n"
case("long_and", text, ["S0401 %s | S0202 3:*" % loc(text, "s1 ==")],
     "50000 `and` terms over an undefined name: refused as too deep, or each name reported")
text = 'import "_base"\n' + "service x {\n" + "  risk a {\n" * 3000 + "\n"
case("nest_blocks", text, ["S0202 *:*"], "blocks opened 3000 deep: the parser's stack fills somewhere")
text = 'import "_base"\n' + "{" * 10000 + "\n"
case("nest_braces_top", text, ["S0201 2:1"], "10000 `{` at top level")

# ---- long tokens -------------------------------------------------------------
ident = "x" * 257
text = 'import "_base"\nrole %s { title = "t" }\n' % ident
case("long_ident_257", text, ["S0107 " + loc(text, ident)], "identifier one over the limit of 256")
ident = "y" * 100000
text = 'import "_base"\nrole %s { title = "t" }\n' % ident
case("long_ident_100k", text, ["S0107 " + loc(text, ident)], "a 100000-character identifier")
text = 'import "_base"\nservice web2 { owner = %s }\n' % ("z" * 300)
case("long_ident_ref", text, ["S0107 " + loc(text, "zzz")],
     "an over-long identifier used as a reference")
s = "s" * ((1 << 20) + 1)
text = 'import "_base"\nrole r { title = "%s" }\n' % s
case("long_string_1m", text, ["S0107 " + loc(text, '"s')], "a string one byte over 1 MiB")
text = 'import "_base"\nservice web2 { owner = cio  cost = %s }\n' % ("9" * 200)
case("long_number", text, ["S0104 " + loc(text, "999")], "a 200-digit number literal")
text = 'import "_base"\nservice web2 { owner = cio  cost = 1.%s }\n' % ("0" * 200)
case("long_fraction", text, ["S0104 " + loc(text, "1.0")], "a 200-digit fraction")
text = 'import "_base"\nrole r { title = "%s" }\n' % ("\\u{1F600}" * 150000)
case("long_escapes", text, ["S0107 " + loc(text, '"\\u')],
     "150000 \\u escapes: 1.35 MB of source, 600 kB decoded, over the limit")

# ---- numbers ------------------------------------------------------------------
def num_case(name, lit, code, comment):
    text = 'import "_base"\nservice web2 { owner = cio  supports = [up]  cost = %s }\n' % lit
    case(name, text, ["%s %s" % (code, loc(text, lit))], comment)


num_case("num_1e400", "1e400", "S0104", "overflow: 1e400 is not a double")
text = 'import "_base"\nservice web2 { owner = cio  supports = [up]  cost = -1e400 }\n'
case("num_neg_1e400", text, ["S0104 " + loc(text, "1e400")], "overflow under unary minus")
num_case("num_1e400_k", "1e400k", "S0104", "overflow with a suffix")
num_case("num_max_plus", "1.7976931348623159e308", "S0104", "just above DBL_MAX: rounds to infinity")
num_case("num_exp_int_max_k", "1e2147483647k", "S0104",
         "exponent INT_MAX plus the suffix shift: must not overflow int")
num_case("num_exp_int_min_pct", "1e-2147483648%", "S0104",
         "exponent INT_MIN minus the percent shift: must not overflow int")
num_case("num_exp_huge_k", "1e99999999999k", "S0104", "an exponent beyond int with a suffix")
num_case("num_exp_huge", "1e99999999999", "S0104", "an exponent beyond int")
num_case("num_bad_underscore", "1__000", "S0104", "two separators in a row")
num_case("num_trailing_underscore", "1000_", "S0104", "a trailing separator")
num_case("num_suffix_junk", "12kk", "S0104", "two suffixes")
text = 'import "_base"\nservice web2 { owner = cio  supports = [up]  cost = 1.2.3 }\n'
case("num_double_dot", text, ["S0201 2:*"], "a number with two fraction points")
# 1e-400 is 0 after underflow: dividing by it must give a located error
text = scored("s.a / s.b", a="1", b="1e-400")
case("num_1e_minus_400", text, ["S0104 %s | S1001 %s" % (loc(text, "1e-400"), loc(text, "calc"))],
     "1e-400 underflows to 0: refused as a literal, or a score dividing by it "
     "is infinite for `calc`")
text = scored("s.a * s.b", a="1e308", b="10")
case("num_overflow_runtime", text, ["S1001 " + loc(text, "calc")],
     "1e308 * 10 overflows to infinity at run time")
text = scored("s.a - s.a", a="1e308 * 10", b="1")
case("num_overflow_const", text, ["S1001 " + loc(text, "calc")],
     "an attribute value that is a constant expression overflowing to infinity")

# ---- NaN and infinity from formulas over real data ----------------------------
for name, score, a, bb, comment in [
    ("nan_zero_over_zero", "s.a / s.b", "0", "0", "0/0 over the data of `calc`"),
    ("nan_inf_div", "s.a / s.b", "1", "0", "1/0 over the data: infinite score"),
    ("nan_sqrt_neg", "sqrt(s.a)", "-1", "1", "sqrt of a negative attribute"),
    ("nan_log_zero", "log(s.a)", "0", "1", "log(0) is minus infinity"),
    ("nan_log_neg", "log(s.a)", "-5", "1", "log of a negative attribute"),
    ("nan_pow_neg_frac", "pow(s.a, s.b)", "-8", "0.5", "pow(-8, 0.5)"),
    ("nan_pow_zero_neg", "pow(s.a, s.b)", "0", "-1", "pow(0, -1) is infinite"),
    ("nan_inf_minus_inf", "s.a * 1e308 * 10 - s.b * 1e308 * 10", "1", "1", "inf - inf"),
    ("nan_clamp", "clamp(s.a / s.b, 0, 1)", "0", "0", "clamp of NaN must not hide it"),
    ("nan_min", "min(s.a / s.b, 1)", "0", "0", "min of NaN must not hide it"),
    ("nan_norm", "norm(s.a / s.b)", "0", "0", "norm over a column holding NaN"),
]:
    text = scored(score, a=a, b=bb)
    case(name, text, ["S1001 " + loc(text, "calc")], comment)
text = ('import "_base"\n' + calc(0, 0) +
        "score s1(s) = s.a\n"
        "decide {\n  invest when s.a / s.b > 1\n  tolerate otherwise\n  rank by s1(s) / s.b desc\n}\n")
case("nan_rank", text, ["S1001 " + loc(text, "calc")],
     "rank by an expression that is NaN for `calc`")
text = scored("s.a / s.b", a="0", b="0", decide_when="s1(s) > 1 or s1(s) <= 1")
case("nan_every_arm", text, ["S1001 " + loc(text, "calc")],
     "a NaN score against arms that cover every number")

# ---- NUL bytes -----------------------------------------------------------------
text = b'import "_base"\nrole r\x00 { title = "t" }\n'
case("nul_top", text, ["S0101 " + loc(text, b"\x00")], "a NUL byte between tokens")
text = b'import "_base"\nrole r { title = "a\x00b" }\n'
case("nul_in_string", text, ["S0101 " + loc(text, b"\x00")],
     "a NUL byte inside a string would cut it short in C")
text = b'import "_base"\nro\x00le r { title = "t" }\n'
case("nul_in_ident", text, ["S0101 " + loc(text, b"\x00")], "a NUL byte inside a keyword")
text = b'import "_base"\nrole r { title = "t" }\n\x00'
case("nul_last", text, ["S0101 " + loc(text, b"\x00")], "a NUL byte as the last byte")
text = b"\x00" * 1024
case("nul_only", text, ["S0101 1:1"], "a file of 1024 NUL bytes")
text = b'import "_base"\n# a comment \x00 with a NUL\nrole r { title = "t" }\n'
case("nul_in_comment", text, ["S0101 " + loc(text, b"\x00")],
     "a NUL byte in a comment (a binary file, not text)")
text = b'import "_base"\nservice web2 { owner = cio  cost = 12\x0034 }\n'
case("nul_in_number", text, ["S0101 " + loc(text, b"\x00")], "a NUL byte inside a number")

# ---- invalid UTF-8 in every position ----------------------------------------------
BADSEQ = [
    ("ff", b"\xff", "byte 0xFF never appears in UTF-8"),
    ("cont", b"\x80", "a lone continuation byte"),
    ("overlong", b"\xc0\xaf", "an overlong encoding of `/`"),
    ("overlong3", b"\xe0\x80\xaf", "a three-byte overlong encoding"),
    ("surrogate", b"\xed\xa0\x80", "an encoded UTF-16 surrogate"),
    ("above_max", b"\xf4\x90\x80\x80", "a code point above U+10FFFF"),
    ("truncated", b"\xe2\x82", "a sequence cut short"),
]
for tag, seq, what in BADSEQ:
    text = b'import "_base"\nrole r { title = "t" }\n' + seq + b"\n"
    case("utf8_top_" + tag, text, ["S0106 " + loc(text, seq)], what + ", between tokens")
    text = b'import "_base"\nrole r { title = "caf' + seq + b'" }\n'
    case("utf8_string_" + tag, text, ["S0106 " + loc(text, seq)], what + ", inside a string")
for tag, seq, what in BADSEQ[:3]:
    text = b'import "_base"\nrole r' + seq + b' { title = "t" }\n'
    case("utf8_ident_" + tag, text, ["S0106 " + loc(text, seq)], what + ", glued to an identifier")
    text = b'import "_base"\n# comment ' + seq + b'\nrole r { title = "t" }\n'
    case("utf8_comment_" + tag, text, ["S0106 " + loc(text, seq)],
         what + ", in a comment (source files must be UTF-8 throughout)")
text = b'import "_base"\nservice web2 { owner = cio  cost = 12\xff }\n'
case("utf8_number", text, ["S0106 " + loc(text, b"\xff")], "invalid UTF-8 right after a number")
text = b'import "_base"\nobjective o2 { due = 2027-12-3\xff }\n'
case("utf8_date", text, ["S0106 " + loc(text, b"\xff")], "invalid UTF-8 inside a date")
text = b'import "_base\xff"\n'
case("utf8_import_path", text, ["S0106 " + loc(text, b"\xff")], "invalid UTF-8 in an import path")
text = b'import "_base"\nrole r { title = "t" }\n\xe2\x82'
case("utf8_truncated_eof", text, ["S0106 " + loc(text, b"\xe2")], "a multibyte sequence cut by the end of file")
text = b'import "_base"\nrole r { title = "\\u{D800}" }\n'
case("utf8_escape_surrogate", text, ["S0103 " + loc(text, b"\\u")], "\\u escape of a surrogate")
text = b'import "_base"\nrole r { title = "\\u{110000}" }\n'
case("utf8_escape_above_max", text, ["S0103 " + loc(text, b"\\u")], "\\u escape above U+10FFFF")
text = b'import "_base"\nrole r { title = "\\u{0}" }\n'
case("utf8_escape_nul", text, ["S0103 " + loc(text, b"\\u")], "\\u{0} would be a NUL in a C string")
text = b'import "_base"\nrole r { title = "\\u{FFFFFFFFFFFFFFFFFFFF}" }\n'
case("utf8_escape_long", text, ["S0103 " + loc(text, b"\\u")], "a \\u escape with 20 hex digits")
text = b'import "_base"\nrole r { title = "abc\\'
case("string_escape_eof", text, ["S0102 " + loc(text, b'"abc')], "a backslash as the last byte of the file")

# ---- CRLF, CR, BOM -------------------------------------------------------------------
text = ('import "_base"\r\nrole r {\r\n  title = 5\r\n}\r\nrole q { title = "x" }\r\nservice web2 { owner = nobody }\r\n')
case("crlf_error", text, ["S0401 " + loc(text, "nobody")], "CRLF line ends: the column must not count \\r")
text = 'import "_base"\r\nrole r { title = "unterminated\r\n}\r\n'
case("crlf_unterminated_string", text, ["S0102 " + loc(text, '"unt')], "a string running into a CRLF")
text = 'import "_base"\rrole r { title = "x" }\rservice web2 { owner = nobody }\r'
case("cr_only", text, ["S0401 " + loc(text, "nobody")],
     "old Mac CR-only line ends: one long line as far as lines go")
text = 'import "_base"\nrole r {\r\n title = "x" }\nservice web2 { owner = nobody }\r\n'
case("crlf_mixed", text, ["S0401 " + loc(text, "nobody")], "LF and CRLF mixed")
text = b'\xef\xbb\xbfimport "_base"\nservice web2 { owner = nobody }\n'
case("bom_start_error", text, ["S0401 " + loc(text, b"nobody")],
     "a BOM at the start is allowed and counts for no column")
text = b'\xef\xbb\xbf'
case("bom_only", text, ["S0404 1:1"], "a file holding only a BOM: no strategy")
text = b'import "_base"\nrole r { title = "x" }\n\xef\xbb\xbfrole q { title = "y" }\n'
case("bom_mid_file", text, ["S0101 " + loc(text, b"\xef\xbb\xbf")], "a BOM in the middle of a file")
text = b'\xef\xbb\xbf\xef\xbb\xbfimport "_base"\n'
case("bom_twice", text, ["S0101 1:2"], "two BOMs at the start: the second is a stray character")
text = b'import "_base"\nrole r { title = "x\xef\xbb\xbfy" }\nservice web2 { owner = nobody }\n'
case("bom_in_string", text, ["S0401 " + loc(text, b"nobody")],
     "a BOM inside a string is a character like any other; the error after it is located")

# ---- imports -----------------------------------------------------------------------
text = 'import "_base"\nimport "import_self"\n'
case("import_self", text, ["S0302 " + loc(text, '"import_self"')], "a file importing itself")
text = 'import "_base"\nimport "import_cycle2_b"\n'
case("import_cycle2", text, ["S0302 2:8 import_cycle2_b.strat"],
     "a imports b imports a: reported at the import that closes the cycle",
     extra={"import_cycle2_b.strat": '# imported by import_cycle2.strat\nimport "import_cycle2"\n'})
text = 'import "_base"\nimport "./import_dot_self.strat"\n'
case("import_dot_self", text, ["S0302 " + loc(text, '"./')], "importing itself through `./`")
text = 'import "_base"\nimport "../bad/import_updown_self"\n'
case("import_updown_self", text, ["S0302 " + loc(text, '"../')],
     "importing itself by leaving the directory and coming back: inside the root, a cycle")
text = 'import "_base"\nimport "../golden/imports/people_lib"\n'
case("import_dotdot_escape", text, ["S0303 " + loc(text, '"../')], "`..` out of the project root")
text = 'import "_base"\nimport "/etc/passwd"\n'
case("import_absolute", text, ["S0303 " + loc(text, '"/etc')], "an absolute path outside the root")
text = 'import "_base"\nimport "std/../../../../../../etc/passwd"\n'
case("import_std_escape", text, ["S0304 " + loc(text, '"std')],
     "a std/ path climbing out of the stdlib")
text = 'import "_base"\nimport "std/"\n'
case("import_std_empty", text, ["S0304 " + loc(text, '"std')], "std/ with no module name")
text = 'import "_base"\nimport ""\n'
case("import_empty", text, ["S0301 " + loc(text, '""')], "an empty import path")
text = 'import "_base"\nimport "."\n'
case("import_dot", text, ["S0301 " + loc(text, '"."')], "importing the project directory itself")
text = 'import "_base"\nimport "%s"\n' % ("a/" * 3000 + "x")
case("import_long_path", text, ["S0301 " + loc(text, '"a/')], "a 6001-byte import path (beyond PATH_MAX)")
text = 'import "_base"\nimport "%s"\n' % ("n" * 300)
case("import_long_name", text, ["S0301 " + loc(text, '"nnn')], "a file name beyond NAME_MAX")
text = 'import "_base"\nimport "import_csv_as_source.csv"\n'
case("import_csv_as_source", text, ["S0301 2:8"],
     "importing a CSV file (imports name .strat files: x.csv.strat does not exist)",
     extra={"import_csv_as_source.csv": "id,title\nx,\"y\"\n"})
text = 'import "_base"\nimport "import_newline\\nname"\n'
case("import_escape_in_path", text, ["S0301 " + loc(text, '"import_newline')],
     "an escape (newline) inside an import path")

# ---- CSV ---------------------------------------------------------------------------------
CSV_STRAT = 'import "_base"\nload service from "%s.csv" { key = "id" }\n'
HDR = "id,title,owner,kind,investment,cost\n"


def csv_case(name, csv, code, where, comment):
    text = CSV_STRAT % name
    exp = []
    for c, w in zip(code if isinstance(code, list) else [code],
                    where if isinstance(where, list) else [where]):
        exp.append("%s %s %s.csv" % (c, w, name))
    case(name, text, exp, comment, extra={name + ".csv": csv})


csv = HDR + "a,A,cio,supporting,run,1\nb,B,cio,supporting\n"
csv_case("csv_ragged_short", csv, "S1104", loc(csv, "supporting", 1),
         "a row with too few fields")
csv = HDR + "a,A,cio,supporting,run,1,extra,more\n"
csv_case("csv_ragged_long", csv, "S1104", loc(csv, "more"), "a row with too many fields (at its last field)")
csv = HDR + 'a,"A,cio,supporting,run,1\n'
csv_case("csv_unterminated_quote", csv, "S1101", loc(csv, '"A'), "a quote opened and never closed")
csv = HDR + 'a,"A' + "x" * 100000
csv_case("csv_unterminated_long", csv, "S1101", loc(csv, '"A'), "an unterminated quote running 100 kB to end of file")
csv = HDR + 'a,"A"x,cio,supporting,run,1\n'
csv_case("csv_text_after_quote", csv, "S1101", loc(csv, 'x,cio'), "text after a closing quote")
csv = ""
csv_case("csv_empty", csv, "S1102", "1:1", "an empty CSV file: no header")
csv = "\n\n\n"
csv_case("csv_blank_lines", csv, "S1102", "1:1", "a CSV file of blank lines")
csv = "title,owner\nA,cio\n"
csv_case("csv_no_key", csv, "S1102", "1:1", "the header lacks the key column")
csv = "id,title,title\na,A,B\n"
csv_case("csv_dup_column", csv, "S1102", loc(csv, "title", 1), "a column named twice")
csv = "id,,title\na,x,A\n"
csv_case("csv_empty_column", csv, "S1102", loc(csv, ",,", 0, 1), "an empty column name")
csv = "id,titel\na,A\n"
csv_case("csv_unknown_column", csv, "S1102", loc(csv, "titel"), "a misspelt column")
csv = HDR + "a,A,cio,supporting,run,lots\n"
csv_case("csv_bad_number", csv, "S1103", loc(csv, "lots"), "a word in a number column")
for tag, val in [("nan", "nan"), ("inf", "inf"), ("1e400", "1e400"), ("hex", "0x10"),
                 ("dashes", "--5"), ("empty_quoted_num", '"1 2"')]:
    csv = HDR + "a,A,cio,supporting,run,%s\n" % val
    csv_case("csv_num_" + tag, csv, "S1103", loc(csv, val),
             "`%s` in a number column" % val)
csv = HDR + "a,A,cio,supporting,run,1\na,B,cio,supporting,run,2\n"
csv_case("csv_dup_key", csv, "S0402", "3:1", "the same key twice")
csv = HDR + ",A,cio,supporting,run,1\n"
csv_case("csv_empty_key", csv, "S1103", "2:1", "an empty key")
csv = HDR + "a,A,nobody,supporting,run,1\n"
csv_case("csv_bad_ref", csv, "S1103", loc(csv, "nobody"), "an owner that does not exist")
csv = HDR + "a,A,cio,sideways,run,1\n"
csv_case("csv_bad_symbol", csv, "S1103", loc(csv, "sideways"), "a kind that is not allowed")
csv = HDR + "a,A\x00,cio,supporting,run,1\n"
csv_case("csv_nul", csv, "S1101", loc(csv, "\x00"), "a NUL byte in a cell")
csv = b"id,title,owner,kind,investment,cost\na,A\xff,cio,supporting,run,1\n"
csv_case("csv_utf8_cell", csv, "S0106", loc(csv, b"\xff"), "invalid UTF-8 in a cell")
csv = b"id,ti\xfftle\na,A\n"
csv_case("csv_utf8_header", csv, "S0106", loc(csv, b"\xff"), "invalid UTF-8 in the header")
csv = b'id,title,owner,kind,investment,cost\na,"A\xc0\xaf",cio,supporting,run,1\n'
csv_case("csv_utf8_quoted", csv, "S0106", loc(csv, b"\xc0"), "an overlong sequence in a quoted cell")
csv = (HDR + "a,A,cio,supporting,run,1\n").replace("\n", "\r\n") + "b,B,cio,supporting,run,x\r\n"
csv_case("csv_crlf", csv, "S1103", loc(csv, ",x", 0, 1), "a CRLF CSV: the column must not count \\r")
csv = "\ufeff" + HDR + "a,A,cio,supporting,run,x\n"
csv_case("csv_bom", csv, "S1103", loc(csv, ",x", 0, 1),
         "a BOM (as Excel writes) before the header is allowed")
csv = HDR + "a,A,cio,supporting,run,1\r" + "b,B,cio,supporting,run,x\r"
csv_case("csv_cr_only", csv, ["S1103"], [loc(csv, ",x", 0, 1)], "CR-only line ends")
csv = HDR + "a,%s,cio,supporting,run,x\n" % ("t" * 200000)
csv_case("csv_long_cell", csv, "S1103", loc(csv, ",x", 0, 1), "a 200 kB cell, then a bad one")
csv = ",".join(["id"] + ["c%d" % i for i in range(20000)]) + "\n"
csv_case("csv_wide_header", csv, "S1102", "1:*", "20000 columns in the header")
csv = HDR + "a,A,cio,supporting,run,1\n" * 1 + "".join("r%d,R,cio,supporting,run,1,2\n" % i for i in range(5000))
csv_case("csv_many_errors", csv, "S1104", "3:" + str(len("r0,R,cio,supporting,run,1,") + 1),
         "5000 ragged rows: the report is capped, not 5000 long")
text = 'import "_base"\nload service from "csv_missing_file.csv" { key = "id" }\n'
case("csv_missing_file", text, ["S0301 " + loc(text, '"csv_missing')], "a CSV file that does not exist")
text = 'import "_base"\nload service from "../golden/csv/good.csv" { key = "id" }\n'
case("csv_escape_root", text, ["S0303 " + loc(text, '"../')], "a CSV path out of the project root")
text = 'import "_base"\nload service from "/etc/passwd" { key = "id" }\n'
case("csv_absolute", text, ["S0303 " + loc(text, '"/etc')], "an absolute CSV path")
text = 'import "_base"\nload service from "." { key = "id" }\n'
case("csv_directory", text, ["S0301 " + loc(text, '"."')], "loading a directory as CSV")

# ---- empty and degenerate files --------------------------------------------------------------
case("empty", "", ["S0404 1:1"], "an empty file: no strategy")
case("only_comments", "# one\n# two\n   # three\n", ["S0404 1:1"], "a file of only comments")
case("only_whitespace", "\n\n   \t\n\n", ["S0404 1:1"], "a file of only white space")
case("only_newline_no_eol", "# a comment without a newline at the end", ["S0404 1:1"],
     "a comment as the whole file, no final newline")
text = 'import "_base"\nrole'
case("eof_after_keyword", text, ["S0201 2:*"], "end of file right after a keyword")
text = 'import "_base"\nrole r { title = '
case("eof_after_assign", text, ["S0201 2:*"], "end of file after `=`")
text = 'import "_base"\n' + "".join("role r%d { title = 1 2 }\n" % i for i in range(20000))
case("many_syntax_errors", text, ["S0201 " + loc(text, "2 }")],
     "20000 syntax errors: recovery keeps going, the report is capped")
text = 'import "_base"\n' + "".join("role dup { title = \"t\" }\n" for i in range(20000))
case("many_duplicates", text, ["S0402 " + loc(text, "dup", 1)], "20000 declarations of one name")

# ---- dates --------------------------------------------------------------------------------------
for tag, d, code in [("feb29", "2027-02-29", "S0105"), ("month13", "2027-13-01", "S0105"),
                     ("day00", "2027-01-00", "S0105"), ("year0", "0000-00-00", "S0105"),
                     ("nines", "9999-99-99", "S0105")]:
    text = 'import "_base"\nobjective o2 { metric = "m"  baseline = 1  target = 2  due = %s  weight = 0  owner = cio }\n' % d
    case("date_" + tag, text, ["%s %s" % (code, loc(text, d))], "the date %s" % d)
text = ('strategy "x" {\n  horizon = 2027-12-31 .. 2027-01-01\n  budget = 1M\n}\n')
case("date_range_reversed", text, ["S0502 " + loc(text, "2027-12-31")], "a horizon that ends before it starts")

# ---- misc hostile --------------------------------------------------------------------------------
text = 'import "_base"\n' + calc(1, 1) + "score r1(s) = r2(s)\nscore r2(s) = r1(s)\n"
case("score_mutual_recursion", text, ["S0901 " + loc(text, "r1(s) =")], "two scores calling each other")
text = 'import "_base"\n' + calc(1, 1) + "".join(
    "score f%d(s) = f%d(s) + 1\n" % (i, i + 1) for i in range(3000)) + "score f3000(s) = f0(s)\n"
case("score_long_recursion", text, ["S0901 " + loc(text, "f0(s) =") + " | S0202 *:*"],
     "a chain of 3000 scores closing into a cycle (too deep, or the cycle)")
text = ('import "_base"\n' + calc(1, 1) +
        "".join("score f%d(s) = f%d(s) + 1\n" % (i, i + 1) for i in range(5000)) +
        "score f5000(s) = s.a / (s.b - 1)\n"
        "decide {\n  invest when f0(s) > 1\n  tolerate otherwise\n}\n")
case("score_call_chain_5000", text, ["S1001 %s | S0202 *:*" % loc(text, "calc")],
     "a chain of 5000 scores each calling the next (no cycle): evaluated to "
     "infinity for `calc` without overflowing the stack, or refused as too deep")
text = 'import "_base"\n' + "".join(
    "service d%d { owner = cio  kind = supporting  depends_on = [d%d] }\n" % (i, i + 1) for i in range(5000)) + \
    "service d5000 { owner = cio  kind = supporting  depends_on = [d0] }\n"
case("dep_cycle_5000", text, ["S0701 " + loc(text, "service d0", 0, 8)],
     "a dependency cycle 5001 services long (no recursion depth problem)")
text = 'import "_base"\n' + "".join(
    "objective p%d { metric = \"m\"  baseline = 1  target = 2  due = 2027-12-31  owner = cio  parent = p%d }\n"
    % (i, i + 1) for i in range(5000)) + \
    "objective p5000 { metric = \"m\"  baseline = 1  target = 2  due = 2027-12-31  owner = cio  parent = p0 }\n"
case("objective_cycle_5000", text, ["S0607 " + loc(text, "objective p0", 0, 10)],
     "an objective parent cycle 5001 long")
text = 'import "_base"\nrole r { title = "x" }  }  }\n'
case("stray_close", text, ["S0201 " + loc(text, "}  }", 0, 3)], "stray closing braces")
text = 'import "_base"\n' + '"' * 7 + "\n"
case("quotes_odd", text, ["S0102 2:7"], "seven quotes: the last string is unterminated")
text = 'import "_base"\nrole r { title = "\\' + "\n" + '" }\n' + "service web2 { owner = nobody }\n"
case("string_escaped_newline", text, ["S0401 " + loc(text, "nobody")],
     "a backslash-newline inside a string; the line count after it stays right")
text = 'import "_base"\n\t\trole r { title = 1 }\n\t\tservice web2 { owner = nobody }\n'
case("tabs", text, ["S0401 " + loc(text, "nobody")], "tabs count as one column each")
text = 'import "_base"\nrole r { title = "\xe6\x97\xa5\xe6\x9c\xac" }  service web2 { owner = nobody }\n'
case("utf8_columns", text, ["S0401 " + loc(text, "nobody")], "columns count characters, not bytes")
text = 'import "_base"\n' + calc(1, 1) + "decide {\n  invest when s.a > 1\n  tolerate otherwise\n}\ndecide {\n  tolerate otherwise\n}\n"
case("decide_twice", text, ["S0407 " + loc(text, "decide", 1)], "two decide blocks")

chain = "const c0 = 5000\n" + "".join("const c%d = c%d - 1\n" % (i, i - 1) for i in range(1, 5001))
text = 'import "_base"\n' + chain + 'rule drained "the chain ends above zero" = c5000 > 0\n'
case("const_chain_5000_rule", text, ["S0913 " + loc(text, "drained")],
     "a chain of 5000 consts evaluated by the interpreter (a rule): no stack overflow")
text = 'import "_base"\n' + chain + calc(1, 1, "  cost = c5000 - 1")
case("const_chain_5000_attr", text, ["S0502 " + loc(text, "c5000 - 1")],
     "a chain of 5000 consts evaluated by the checker (an attribute out of range)")
text = ('import "_base"\n' + "".join(
    "service q%d { owner = cio  kind = supporting  supports = [up] }\n" % i for i in range(39)) +
    'rule deep "x" =\n  all a1 in service : all a2 in service : all a3 in service :\n'
    '  all a4 in service : all a5 in service : any a6 in service : a6 == a1 and a2 != a6\n')
case("quantifiers_nested_6", text, ["S1003 " + loc(text, "all a1")],
     "six nested quantifiers over 40 services (4.1e9 steps): refused before evaluating")
text = ('import "_base"\n' + "".join(
    "service q%d { owner = cio  kind = supporting  supports = [up] }\n" % i for i in range(12000)) +
    "score peers(s) = count(x for x in service where x.owner == s.owner)\n")
case("quantifier_in_score_12k", text, ["S1003 " + loc(text, "x for x")],
     "a quantifier in a score runs once per service: 12001^2 steps, refused")
text = ('import "_base"\nservice listed { owner = cio  suppliers = [' +
        ", ".join(str(i) for i in range(100)) + "] }\n")
case("list_packed_numbers_attr", text, ["S0501 " + loc(text, "[0,")],
     "a long list of numbers (kept packed) where a list of strings is expected")


LARGE = 48 * 1024    # cases with a bigger file are generated at test time


def is_large(files):
    return any(len(d) > LARGE for d in files.values())


def write_large(outdir):
    """Writes the large cases (and _base.strat) into outdir for bad_test.sh."""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "_base.strat"), "wb") as f:
        f.write(BASE.encode())
    n = 0
    for name, (files, expect, comment) in sorted(cases.items()):
        if not is_large(files):
            continue
        for fn, data in files.items():
            with open(os.path.join(outdir, fn), "wb") as f:
                f.write(data)
        with open(os.path.join(outdir, name + ".expect"), "w") as f:
            f.write("# %s\n" % comment)
            for e in expect:
                f.write(e + "\n")
        n += 1
    print("%d large cases in %s" % (n, outdir), file=sys.stderr)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--large":
        write_large(sys.argv[2])
        return
    # remove what an earlier run wrote (every generated file is listed in
    # .generated so hand-written files are never touched)
    listing = os.path.join(HERE, ".generated")
    if os.path.exists(listing):
        for f in open(listing).read().split():
            p = os.path.join(HERE, f)
            if os.path.exists(p):
                os.unlink(p)
    written = []
    with open(os.path.join(HERE, "_base.strat"), "wb") as f:
        f.write(BASE.encode())
    written.append("_base.strat")
    for name, (files, expect, comment) in sorted(cases.items()):
        if is_large(files):
            continue
        for fn, data in files.items():
            with open(os.path.join(HERE, fn), "wb") as f:
                f.write(data)
            written.append(fn)
        with open(os.path.join(HERE, name + ".expect"), "w") as f:
            f.write("# %s\n" % comment)
            for e in expect:
                f.write(e + "\n")
        written.append(name + ".expect")
    with open(listing, "w") as f:
        f.write("\n".join(sorted(written)) + "\n")
    print("%d cases (%d large ones made at test time), %d files"
          % (len(cases), sum(is_large(f) for f, _, _ in cases.values()), len(written)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
