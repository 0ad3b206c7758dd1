" Vim indent file
" Language: Strat (IT service strategy as code)
" Indents by brace/bracket depth (shiftwidth, 2 in the ftplugin) and one
" level for the body of a declaration whose `=` ends the line:
"   rule owned (error) "every live service has an owner" =
"     all s in service where s.status != retired : defined(s.owner)

if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal autoindent nosmartindent nocindent
setlocal indentexpr=StratIndent(v:lnum)
setlocal indentkeys=0{,0},0],0),!^F,o,O

let b:undo_indent = 'setlocal autoindent< smartindent< cindent< indentexpr< indentkeys<'

if exists('*StratIndent')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" The code of a line: strings emptied, comment dropped.
function! s:Code(lnum) abort
  let line = substitute(getline(a:lnum), '"\%(\\.\|[^"\\]\)*"', '""', 'g')
  return substitute(line, '\s*#.*$', '', '')
endfunction

function! s:PrevCode(lnum) abort
  let lnum = prevnonblank(a:lnum - 1)
  while lnum > 0 && getline(lnum) =~# '^\s*#'
    let lnum = prevnonblank(lnum - 1)
  endwhile
  return lnum
endfunction

function! s:Continues(lnum) abort
  return a:lnum > 0 && s:Code(a:lnum) =~# '\%(^\|[^=!<>]\)=\s*$'
endfunction

function! StratIndent(lnum) abort
  let prev = s:PrevCode(a:lnum)
  if prev == 0
    return 0
  endif
  let sw = shiftwidth()
  let ind = indent(prev)
  let code = s:Code(prev)
  " Openers minus closers on the previous line; closers that start it were
  " already counted when that line was indented.
  let body = substitute(code, '^\s*[\]})]\+', '', '')
  let net = len(substitute(body, '[^\[{(]', '', 'g'))
        \ - len(substitute(body, '[^\]})]', '', 'g'))
  if net > 0
    let ind += sw
  elseif net < 0
    let ind -= sw
  endif
  if s:Continues(prev)
    let ind += sw
  elseif s:Continues(s:PrevCode(prev)) && net <= 0
    let ind -= sw
  endif
  if getline(a:lnum) =~# '^\s*[\]})]'
    let ind -= sw
  endif
  return ind < 0 ? 0 : ind
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
