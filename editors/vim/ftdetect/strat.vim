" Strat strategy files.
autocmd BufNewFile,BufRead *.strat setfiletype strat
