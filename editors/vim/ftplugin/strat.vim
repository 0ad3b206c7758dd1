" Vim filetype plugin
" Language: Strat (IT service strategy as code)

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal formatoptions-=t formatoptions+=croql
setlocal expandtab shiftwidth=2 softtabstop=2
setlocal suffixesadd=.strat
" [I and gf follow imports: import "std/itil"
let &l:include = '^\s*import\s\+"\zs[^"]\+'
setlocal matchpairs+=[:]

" :make runs the checker on this file; its diagnostics have the GCC shape
"   file:line:col: error: message [S0401]
"    4 |   owner = web_tem
"      |           ^~~~~~~
"    = help: did you mean `web_team`?
"   file:line:col: note: ...
" The source snippet and help lines (they start with a space) are dropped;
" a diagnostic with no location (`strat: error: ...`) is kept as text.
setlocal makeprg=strat\ check\ %
setlocal errorformat=%f:%l:%c:\ %trror:\ %m,
                    \%f:%l:%c:\ %tarning:\ %m,
                    \%f:%l:%c:\ %tote:\ %m,
                    \%f:%l:%c:\ %tnfo:\ %m,
                    \%-G\ %.%#,
                    \%+Gstrat:\ %m,
                    \%-G%.%#

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions<'
      \ . ' expandtab< shiftwidth< softtabstop< suffixesadd< include<'
      \ . ' matchpairs< makeprg< errorformat<'

let &cpo = s:cpo_save
unlet s:cpo_save
