#!/usr/bin/env bash
# tests/editors_test.sh — the editor support in editors/ keeps up with the
# language.
#
#  * every keyword of grammar/strat.l (the quoted words of rules such as
#    `"import"  { return IMPORT; }`) is highlighted as a keyword by the Vim
#    syntax file, the Emacs mode and the VS Code TextMate grammar; so are the
#    decision words and built-in function names (read from src/program.c
#    when they are there);
#  * the VS Code JSON files are valid and consistent with one another;
#  * the diagnostics patterns (Vim errorformat, Emacs compilation regexp,
#    VS Code problem matcher) parse `strat check` output and skip the
#    snippet and help lines;
#  * with vim installed: the syntax file and plugins load without errors,
#    the words really get a highlight group, and :make's errorformat fills
#    the quickfix list as expected;
#  * with emacs installed: strat-mode.el byte-compiles without warnings
#    (without emacs: its parentheses balance).
#
# Usage: bash tests/editors_test.sh        (VERBOSE=1 lists every check)
# The last line is `N passed, M failed`; the exit status is 1 if M > 0.

set -u
cd "$(dirname "$0")/.." || exit 2

LEXER=grammar/strat.l
VIM_SYNTAX=editors/vim/syntax/strat.vim
VIM_DIR=editors/vim
EMACS_MODE=editors/emacs/strat-mode.el
VSCODE=editors/vscode
TM_GRAMMAR=$VSCODE/syntaxes/strat.tmLanguage.json

pass=0
fail=0
ok()  { pass=$((pass + 1)); if [ -n "${VERBOSE:-}" ]; then echo "ok   - $*"; fi; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() {   # check LABEL COMMAND...: one check, passing when COMMAND succeeds
    local label=$1
    shift
    if "$@"; then ok "$label"; else bad "$label"; fi
}

if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is needed to run this test" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

py() {   # py ARGS...: python3; on failure, the last line of its error
    if python3 "$@" 2>"$TMP/py.err"; then return 0; fi
    tail -n 1 "$TMP/py.err" | sed 's/^/       /'
    return 1
}

# ---- the words ---------------------------------------------------------------

sed -n 's/^"\([A-Za-z_][A-Za-z0-9_]*\)"[[:space:]]*{[[:space:]]*return[[:space:]]\{1,\}[A-Z_]\{1,\};[[:space:]]*}.*$/\1/p' \
    "$LEXER" >"$TMP/keywords"
nkw=$(wc -l <"$TMP/keywords")
check "keywords found in $LEXER ($nkw)" test "$nkw" -gt 0

# Words that are identifiers to the scanner but that editors highlight:
# the decisions and the built-in functions (src/program.c; `any` and `all`
# there are keywords too).
c_words() {   # c_words FILE ARRAY FALLBACK...: the strings of a C array
    local file=$1 array=$2
    shift 2
    local got=""
    if [ -f "$file" ]; then
        got=$(awk -v a="$array" '
            index($0, a "[") { on = 1 }
            on { print; if (index($0, "};")) exit }' "$file" |
              grep -o '"[A-Za-z_][A-Za-z0-9_]*"' | tr -d '"')
    fi
    if [ -n "$got" ]; then printf '%s\n' "$got"; else printf '%s\n' "$@"; fi
}
{
    c_words src/program.c decision_texts \
        invest enhance migrate retire experiment tolerate
    c_words src/program.c builtin_names \
        alignment exposure norm min max clamp abs log sqrt pow defined count \
        sum decision
} | grep -vxF -f "$TMP/keywords" | sort -u >"$TMP/extras"
cat "$TMP/keywords" "$TMP/extras" >"$TMP/all_words"

# ---- what each editor highlights -----------------------------------------------
# Each helper gets a file of candidate words and prints those it highlights.

vim_static_words() {   # words of `syntax keyword` statements
    py - "$VIM_SYNTAX" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"\n\s*\\", " ", text)            # line continuations
words = set()
for line in text.splitlines():
    m = re.match(r"\s*sy(?:n(?:tax)?)?\s+keyword\s+(\w+)\s+(.*)", line)
    if not m:
        continue
    for arg in m.group(2).split():
        if arg.startswith('"'):
            break                                # trailing comment
        if "=" in arg or arg in ("contained", "transparent", "skipwhite",
                                 "skipnl", "skipempty", "conceal", "display"):
            continue
        words.add(arg)
for w in open(sys.argv[2]).read().split():
    if w in words:
        print(w)
PY
}

emacs_words() {   # strings of the defconst lists used by the font-lock keywords
    py - "$EMACS_MODE" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
code = re.sub(r";.*", "", text)                  # comments (no ; in our strings)
lists = {}
for m in re.finditer(r"\(defconst\s+([\w-]+)\s+'\(([^()]*)\)", code):
    lists[m.group(1)] = re.findall(r'"([^"\\]*)"', m.group(2))
m = re.search(r"\(def(?:const|var)\s+strat-font-lock-keywords\b", code)
words = set()
if m:
    depth, i = 0, m.start()
    while i < len(code):                         # the whole form
        c = code[i]
        if c == "\\":
            i += 2
            continue
        depth += c == "("
        depth -= c == ")"
        i += 1
        if depth == 0:
            break
    body = code[m.start():i]
    for name, ws in lists.items():
        if re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", body):
            words.update(ws)
    words.update(re.findall(r'"\\\\_<(\w+)\\\\_>"', body))
for w in open(sys.argv[2]).read().split():
    if w in words:
        print(w)
PY
}

tm_words() {   # words a keyword-like `match` rule of the grammar matches whole
    py - "$TM_GRAMMAR" "$1" <<'PY'
import json, re, sys
g = json.load(open(sys.argv[1], encoding="utf-8"))
prefixes = ("keyword.", "storage.", "constant.language.", "support.")
rules = []
def walk(node):
    if isinstance(node, dict):
        name = node.get("name", "")
        if "match" in node and name.startswith(prefixes):
            rules.append(re.compile(node["match"]))
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(g)
for w in open(sys.argv[2]).read().split():
    for rx in rules:
        if any((m := rx.match(ctx)) and m.group(0) == w
               for ctx in (w, w + " ", w + "(")):
            print(w)
            break
PY
}

vim_runtime_words() {   # words that get a highlight group in a real buffer
    local f=$TMP/words.strat out=$TMP/vim_groups
    awk '{ print $0; print $0 "(x)" }' "$1" >"$f"
    cat >"$TMP/groups.vim" <<EOF
set runtimepath^=$PWD/$VIM_DIR
syntax on
filetype plugin indent on
edit $f
let out = []
for l in range(1, line('\$'), 2)
  let g1 = synIDattr(synID(l, 1, 0), 'name')
  let g2 = synIDattr(synID(l + 1, 1, 0), 'name')
  for g in [g1, g2]
    if g =~# '^strat' && g !~# 'Name\$\|Error\$'
      call add(out, getline(l))
      break
    endif
  endfor
endfor
call writefile(out, '$out')
qa!
EOF
    vim -Es -u NONE -c 'set nocp' -S "$TMP/groups.vim" </dev/null >/dev/null 2>&1
    cat "$out" 2>/dev/null
}

have_vim=""
if command -v vim >/dev/null 2>&1; then have_vim=1; fi

# check_words EDITOR HELPER WORDFILE: one check per word
check_words() {
    local editor=$1 helper=$2 words=$3 n found missing
    found=$($helper "$words")
    missing=$(grep -vxF -f <(printf '%s\n' "$found") "$words")
    n=$(wc -l <"$words")
    while read -r w; do
        if printf '%s\n' "$missing" | grep -qxF -- "$w"; then
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done <"$words"
    if [ -n "$missing" ]; then
        echo "FAIL - $editor: $(printf '%s\n' "$missing" | grep -c .) of $n words not highlighted"
        echo "       missing: $(printf '%s ' $missing)"
    else
        echo "ok   - $editor: all $n words highlighted"
    fi
}

check_words "vim syntax ($VIM_SYNTAX) keywords" vim_static_words "$TMP/keywords"
check_words "emacs mode ($EMACS_MODE) keywords and extras" emacs_words "$TMP/all_words"
check_words "tmLanguage ($TM_GRAMMAR) keywords and extras" tm_words "$TMP/all_words"
if [ -n "$have_vim" ]; then
    check_words "vim buffer highlighting, keywords and extras" vim_runtime_words "$TMP/all_words"
else
    echo "skip - vim is not installed: runtime highlighting not checked"
fi

# ---- sample diagnostics -------------------------------------------------------------

cat >"$TMP/diags.txt" <<'EOF'
acme.strat:4:11: error: unknown name `web_tem` [S0401]
 4 |   owner = web_tem
   |           ^~~~~~~
   = help: did you mean `web_team`?
acme.strat:2:6: note: `web_team` is declared here
sub dir/b.strat:12:3: warning: objective `x` is not served [S0702]
 12 |   x = 1: warning: not a diagnostic
    |   ^
strat: error: cannot read `nope.strat`: No such file or directory [S0301]
EOF
# file|line|col|severity for each line that is a located diagnostic
cat >"$TMP/diags.expected" <<'EOF'
acme.strat|4|11|error
acme.strat|2|6|note
sub dir/b.strat|12|3|warning
EOF

# ---- VS Code ------------------------------------------------------------------------

for f in "$VSCODE/package.json" "$VSCODE/language-configuration.json" "$TM_GRAMMAR"; do
    check "valid JSON: $f" eval 'python3 -m json.tool "$f" >/dev/null'
done

vscode_consistent() {
    py - "$VSCODE" <<'PY'
import json, os, sys
d = sys.argv[1]
pkg = json.load(open(os.path.join(d, "package.json")))
c = pkg["contributes"]
lang = [l for l in c["languages"] if l["id"] == "strat"][0]
assert ".strat" in lang["extensions"], "no .strat extension"
assert os.path.isfile(os.path.join(d, lang["configuration"])), "no language configuration"
gr = [g for g in c["grammars"] if g["language"] == "strat"][0]
assert gr["scopeName"] == "source.strat", "grammar scope"
tm = json.load(open(os.path.join(d, gr["path"])))
assert tm["scopeName"] == gr["scopeName"], "scopeName differs from package.json"
conf = json.load(open(os.path.join(d, lang["configuration"])))
assert conf["comments"]["lineComment"] == "#", "line comment"
PY
}
check "vscode: package.json, grammar and configuration agree" vscode_consistent

vscode_matcher() {
    py - "$VSCODE/package.json" "$TMP/diags.txt" "$TMP/diags.expected" <<'PY'
import json, re, sys
pkg = json.load(open(sys.argv[1]))
pm = [m for m in pkg["contributes"]["problemMatchers"] if m["name"] == "strat"][0]
p = pm["pattern"]
rx = re.compile(p["regexp"])
got = []
for line in open(sys.argv[2]).read().splitlines():
    m = rx.match(line)
    if m:
        got.append("|".join(m.group(p[k]) for k in ("file", "line", "column", "severity")))
        assert m.group(p["message"]) and "[" not in m.group(p["message"]), line
want = open(sys.argv[3]).read().splitlines()
assert got == want, f"got {got}"
PY
}
check "vscode: problem matcher parses strat check output" vscode_matcher

# ---- Emacs ---------------------------------------------------------------------------

check "emacs: auto-mode-alist entry for .strat" \
    grep -q "auto-mode-alist '(\"\\\\\\\\.strat\\\\\\\\'\" \\. strat-mode)" "$EMACS_MODE"
check "emacs: derived from prog-mode, compile-command is strat check" \
    eval 'grep -q "(define-derived-mode strat-mode prog-mode" "$EMACS_MODE" &&
          grep -q "compile-command" "$EMACS_MODE" && grep -q "\" check \"" "$EMACS_MODE"'

emacs_regexp() {   # the compilation regexp, translated to Python, on the samples
    py - "$EMACS_MODE" "$TMP/diags.txt" "$TMP/diags.expected" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"\(defconst strat-compilation-regexp\s+\(concat((?:\s+\"(?:[^\"\\]|\\.)*\")+)\)", text)
assert m, "no strat-compilation-regexp"
lits = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
def unescape(s):   # elisp string literal
    return re.sub(r"\\(.)", lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), s)
er = "".join(unescape(s) for s in lits)
py, i = "", 0
while i < len(er):      # Emacs regexp to Python
    c = er[i]
    if c == "\\":
        n = er[i + 1]
        if n in "(){}|":
            py += n
        elif er[i + 1:i + 3] in ("_<", "_>"):
            py += r"\b"
            i += 1
        elif er[i + 1:i + 3] == "s-":
            py += r"\s"
            i += 1
        else:
            py += "\\" + n
        i += 2
        continue
    py += "\\" + c if c in "(){}|" else c
    i += 1
rx = re.compile(py)
# (strat REGEXP 1 2 3 (4 . 5)): file line col, warning group 4, info group 5
assert re.search(r"`\(strat ,strat-compilation-regexp 1 2 3 \(4 \. 5\)\)", text)
got = []
for line in open(sys.argv[2]).read().splitlines():
    mm = rx.match(line)
    if mm:
        sev = "warning" if mm.group(4) else (mm.group(5) if mm.group(5) else "error")
        got.append("|".join([mm.group(1), mm.group(2), mm.group(3), sev]))
want = open(sys.argv[3]).read().splitlines()
assert got == want, f"got {got}"
PY
}
check "emacs: compilation regexp parses strat check output" emacs_regexp

if command -v emacs >/dev/null 2>&1; then
    cp "$EMACS_MODE" "$TMP/"
    check "emacs: strat-mode.el byte-compiles without warnings" \
        eval 'emacs -Q --batch --eval "(setq byte-compile-error-on-warn t)" \
                -f batch-byte-compile "$TMP/strat-mode.el" >"$TMP/emacs.log" 2>&1 ||
              { cat "$TMP/emacs.log"; false; }'
else
    emacs_balanced() {
        py - "$EMACS_MODE" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
depth, i, line, top = 0, 0, 1, 0
pairs = {")": "(", "]": "["}
stack = []
while i < len(s):
    c = s[i]
    if c == "\n":
        line += 1
    if c == ";":
        while i < len(s) and s[i] != "\n":
            i += 1
        continue
    if c == '"':
        i += 1
        while s[i] != '"':
            if s[i] == "\\":
                i += 1
            line += s[i] == "\n"
            i += 1
    elif c == "?":                      # character literal
        i += 2 if s[i + 1] == "\\" else 1
    elif c in "([":
        stack.append((c, line))
    elif c in ")]":
        assert stack and stack[-1][0] == pairs[c], f"unbalanced {c} at line {line}"
        stack.pop()
    i += 1
assert not stack, f"unclosed {stack[-1][0]} from line {stack[-1][1]}"
PY
    }
    check "emacs: strat-mode.el parentheses balance (emacs not installed)" emacs_balanced
fi

# ---- Vim -------------------------------------------------------------------------------

check "vim: ftdetect maps *.strat" grep -q '\*\.strat.*setf\(iletype\)\? strat' "$VIM_DIR/ftdetect/strat.vim"
check "vim: ftplugin sets commentstring, makeprg and errorformat" \
    eval 'grep -q "commentstring=#\\\\ %s" "$VIM_DIR/ftplugin/strat.vim" &&
          grep -q "makeprg=strat\\\\ check\\\\ %" "$VIM_DIR/ftplugin/strat.vim" &&
          grep -q "errorformat=" "$VIM_DIR/ftplugin/strat.vim"'

if [ -n "$have_vim" ]; then
    vim_loads() {   # vim_loads FILE: sourcing FILE gives no error
        vim -Es -u NONE -c 'set nocp' -c "source $1" \
            -c "redir! > $TMP/vim.log | silent messages | redir END" -c 'qa!' </dev/null
        local rc=$?
        if [ "$rc" -ne 0 ]; then awk 'NF { print "       " $0 }' "$TMP/vim.log"; fi
        return $rc
    }
    check "vim: $VIM_SYNTAX loads without errors" vim_loads "$VIM_SYNTAX"
    for f in ftdetect/strat.vim ftplugin/strat.vim indent/strat.vim; do
        if [ -f "$VIM_DIR/$f" ]; then
            check "vim: $VIM_DIR/$f loads without errors" vim_loads "$VIM_DIR/$f"
        fi
    done

    vim_quickfix() {   # :make's errorformat on the sample output
        printf 'service s {}\n' >"$TMP/acme.strat"
        cat >"$TMP/qf.vim" <<EOF
set runtimepath^=$PWD/$VIM_DIR
filetype plugin indent on
edit $TMP/acme.strat
let out = [&filetype, &commentstring, &makeprg]
cgetfile $TMP/diags.txt
for e in getqflist()
  if e.valid && e.lnum > 0
    let sev = {'e': 'error', 'w': 'warning', 'n': 'note', 'i': 'info'}[e.type]
    call add(out, fnamemodify(bufname(e.bufnr), ':.') . '|' . e.lnum . '|' . e.col . '|' . sev)
  endif
endfor
call writefile(out, '$TMP/qf.out')
qa!
EOF
        (cd "$TMP" && vim -Es -u NONE -c 'set nocp' -S "$TMP/qf.vim" </dev/null >/dev/null 2>&1)
        printf 'strat\n# %%s\nstrat check %%\n' | cat - "$TMP/diags.expected" >"$TMP/qf.expected"
        if ! diff -u "$TMP/qf.expected" "$TMP/qf.out" >"$TMP/qf.diff" 2>&1; then
            sed 's/^/       /' "$TMP/qf.diff"
            return 1
        fi
    }
    check "vim: filetype, commentstring, makeprg; errorformat fills the quickfix list" vim_quickfix
else
    echo "skip - vim is not installed: loading and errorformat not checked"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
