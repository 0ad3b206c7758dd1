" Vim syntax file
" Language:    Strat (IT service strategy as code)
" Filenames:   *.strat
" Keywords:    kept in step with grammar/strat.l by tests/editors_test.sh

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword @,48-57,_,192-255

" ---- keywords (every quoted word of grammar/strat.l) ---------------------
" Declarations (top-level constructs).
syn keyword stratInclude      import
syn keyword stratDeclaration  strategy role team customer objective service
syn keyword stratDeclaration  offering value_stream appetite lint report schema score rule
syn keyword stratDeclaration  decide approval scenario load waiver limit test
syn keyword stratDeclaration  const
" Blocks nested in declarations.
syn keyword stratBlock        risk stage
" Clauses of decide, load, scenario, test and schema.
syn keyword stratKeyword      when because otherwise rank by asc desc where
syn keyword stratKeyword      for from set expect required let
syn keyword stratConditional  if then else
syn keyword stratQuantifier   all any
" Word operators.
syn keyword stratOperatorWord and or not in
" Constants.
syn keyword stratBoolean      true false
syn keyword stratNone         none

" ---- words that are identifiers to the scanner ---------------------------
" Portfolio decisions.
syn keyword stratDecision     invest enhance migrate retire experiment tolerate
" Built-in functions: highlighted where they are called; `decision` is also
" a bare word in approvals (`when = decision == invest`).
syn keyword stratBuiltin      decision
syn match   stratBuiltin      "\<\%(alignment\|exposure\|norm\|min\|max\|clamp\|abs\|log\|sqrt\|pow\|round\|floor\|ceil\|trunc\|mod\|contains\|starts_with\|ends_with\|lower\|today\|allocated_cost\|charge\|forecast\|defined\|count\|sum\|decision\)\ze\s*("
" Severity of a rule: rule NAME (error|warning|info).
syn match   stratSeverity     "\%(\<rule\s\+\h\w*\s*(\s*\)\@<=\%(error\|warning\|info\)\>"

" The name a declaration or block introduces.
syn match   stratDeclName     "\%(^\s*\%(role\|team\|customer\|objective\|service\|offering\|value_stream\|approval\|scenario\|waiver\|limit\|test\|const\|risk\|stage\)\s\+\)\@<=\h\w*"
syn match   stratFuncName     "\%(^\s*\%(score\|rule\)\s\+\)\@<=\h\w*"

" ---- literals -------------------------------------------------------------
" Numbers: 42, 1_000, 4.2M, 420k, 3B, 30%, 1e-3.  A letter or digit glued
" to the end (12x) is a malformed number.
syn match   stratNumberError  "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d\+\)\=[kMB%]\=\w\+"
syn match   stratNumber       "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d\+\)\=\%([kMB]\>\|%\|\>\)"
" ISO dates (after numbers: the later item wins at the same column).
syn match   stratDate         "\<\d\{4}-\d\d-\d\d\>"

" Strings: double quotes, escapes \\ \" \n \t \r \u{HEX}; a backslash at the
" end of a line continues the string, otherwise it ends at the line's end.
syn region  stratString       start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+\\\@<!$+ contains=stratEscape,stratEscapeError,@Spell
syn match   stratEscapeError  +\\.+ contained
syn match   stratEscape       +\\[\\"ntr]+ contained
syn match   stratEscape       +\\u{\x\{1,6}}+ contained
syn match   stratEscape       +\\$+ contained

" Comments.
syn keyword stratTodo         TODO FIXME XXX NOTE contained
syn match   stratComment      "#.*$" contains=stratTodo,@Spell

" ---- operators and punctuation -------------------------------------------
syn match   stratOperator     "==\|!=\|<=\|>=\|<\|>\|=\|+\|-\|\*\|/\|\.\."
syn match   stratDelimiter    "[{}()\[\],:]"

" ---- links ------------------------------------------------------------------
hi def link stratInclude      Include
hi def link stratDeclaration  Structure
hi def link stratBlock        Structure
hi def link stratKeyword      Keyword
hi def link stratConditional  Conditional
hi def link stratQuantifier   Repeat
hi def link stratOperatorWord Operator
hi def link stratBoolean      Boolean
hi def link stratNone         Constant
hi def link stratDecision     Special
hi def link stratBuiltin      Function
hi def link stratSeverity     Type
hi def link stratDeclName     Identifier
hi def link stratFuncName     Function
hi def link stratNumber       Number
hi def link stratNumberError  Error
hi def link stratDate         Constant
hi def link stratString       String
hi def link stratEscape       SpecialChar
hi def link stratEscapeError  Error
hi def link stratTodo         Todo
hi def link stratComment      Comment
hi def link stratOperator     Operator
hi def link stratDelimiter    Delimiter

let b:current_syntax = 'strat'

let &cpo = s:cpo_save
unlet s:cpo_save
