# bash completion for strat(1) — IT service strategy as code.
#
# Installed by `make install` as <prefix>/share/bash-completion/completions/strat,
# where bash-completion loads it on demand.  Without bash-completion, source
# it from ~/.bashrc:   . /usr/local/share/bash-completion/completions/strat
#
# Completes the commands, each command's options (as `strat COMMAND --help`
# lists them), the values of --format (per command), --jit and --color,
# .strat files (and directories) for file arguments, the scenario names
# declared in the strategy for --scenario, and the service names for the
# last argument of `strat explain`.  The scenario and service names are
# read from the .strat files already on the command line and from the
# relative imports they make (not from std/... modules).
#
# Self-contained: it does not need bash-completion's helper functions.

# The .strat files on the command line (not option values), one a line.
_strat_files_on_line()
{
    local i w prev=""
    for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do
        [[ $i -eq $COMP_CWORD ]] && { prev=""; continue; }
        w=${COMP_WORDS[i]}
        case $prev in
            --format | --jit | --color | --today | --root | --stdlib | \
                --scenario | --scores | --columns | --max-errors | --threads | -o | --output | \
                --runs | --spread | --seed | --knife-edge | --dialect | --table | --view | \
                --row-order | --horizon | --holdout)
                prev=$w
                continue
                ;;
        esac
        prev=$w
        [[ $w == "=" ]] && continue
        w=${w/#\~/$HOME}
        [[ $w == *.strat && -f $w ]] && printf '%s\n' "$w"
    done
}

# The names declared by `KEYWORD NAME` in the files on the command line and
# in the files they import (relative imports, followed transitively).
_strat_declared()
{
    local keyword=$1 f dir imp
    local -a queue seen
    mapfile -t queue < <(_strat_files_on_line)
    local n=0
    while ((${#queue[@]} > 0 && n < 200)); do
        f=${queue[0]}
        queue=("${queue[@]:1}")
        n=$((n + 1))
        local s dup=0
        for s in "${seen[@]}"; do [[ $s == "$f" ]] && dup=1 && break; done
        ((dup)) && continue
        seen+=("$f")
        [[ -r $f ]] || continue
        sed -n "s/^[[:space:]]*${keyword}[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p" "$f"
        dir=$(dirname -- "$f")
        while IFS= read -r imp; do
            [[ -z $imp || $imp == std/* || $imp == /* ]] && continue
            [[ $imp == *.strat ]] || imp=$imp.strat
            queue+=("$dir/$imp")
        done < <(sed -n 's/^[[:space:]]*import[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' "$f")
    done | sort -u
}

_strat()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: COMP_WORDBREAKS usually splits it into `--opt` `=` `value`
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    local commands="check decide explain test fmt fix diff graph sensitivity sql showback forecast lsp help"
    COMPREPLY=()

    if ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
        return 0
    fi

    local cmd=${COMP_WORDS[1]}
    local common="--today --root --stdlib --werror --allow --warn --deny --max-errors --threads --color
                  -q --quiet -v --verbose -h --help --version"
    local opts formats=""
    case $cmd in
        check)
            opts="--format -o --output"
            formats="text json sarif github"
            ;;
        decide)
            opts="--format -o --output --scenario --scores --columns --jit --no-cache"
            formats="table json csv md html summary"
            ;;
        explain)
            opts="--scenario --table"
            ;;
        test)
            opts="--scenario"
            ;;
        fmt)
            opts="--check --width"
            ;;
        fix)
            opts="--diff"
            ;;
        lsp)
            opts="--stdio"
            ;;
        diff)
            opts="--format --"
            formats="text md"
            ;;
        graph)
            opts="--format -o --output --table"
            formats="dot mermaid"
            ;;
        lsp)
            opts="--stdio"
            ;;
        sensitivity)
            opts="--format -o --output --scenario --jit --no-cache --runs --spread
                  --seed --knife-edge"
            formats="table json csv"
            ;;
        sql)
            opts="--dialect --table --view --row-order -o --output"
            ;;
        showback)
            opts="--format -o --output"
            formats="table csv json md"
            ;;
        forecast)
            opts="--format -o --output --horizon --holdout"
            formats="table csv json"
            ;;
        help | --help | -h)
            ((COMP_CWORD == 2)) &&
                mapfile -t COMPREPLY < <(compgen -W "${commands% help}" -- "$cur")
            return 0
            ;;
        *)
            return 0
            ;;
    esac

    case $prev in
        --format)
            mapfile -t COMPREPLY < <(compgen -W "$formats" -- "$cur")
            return 0
            ;;
        --jit)
            mapfile -t COMPREPLY < <(compgen -W "auto on off" -- "$cur")
            return 0
            ;;
        --dialect)
            mapfile -t COMPREPLY < <(compgen -W "postgres duckdb spark" -- "$cur")
            return 0
            ;;
        --table | --view | --row-order)
            return 0
            ;;
        --color)
            mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
            return 0
            ;;
        --today)
            mapfile -t COMPREPLY < <(compgen -W "$(date -u +%Y-%m-%d 2>/dev/null)" -- "$cur")
            return 0
            ;;
        --scenario)
            mapfile -t COMPREPLY < <(compgen -W "$(_strat_declared scenario)" -- "$cur")
            return 0
            ;;
        --root | --stdlib)
            type compopt &>/dev/null && compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            return 0
            ;;
        -o | --output)
            type compopt &>/dev/null && compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return 0
            ;;
        --max-errors | --threads | --runs | --spread | --seed | --knife-edge | --width | \
            --horizon | --holdout)
            return 0
            ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts $common" -- "$cur")
        return 0
    fi

    # File arguments: directories and .strat files; `explain` also takes
    # a service name last.
    type compopt &>/dev/null && compopt -o filenames 2>/dev/null
    local -a files dirs names=()
    mapfile -t dirs < <(compgen -d -- "$cur")
    mapfile -t files < <(compgen -f -X '!*.strat' -- "$cur")
    if [[ $cmd == explain ]]; then
        mapfile -t names < <(compgen -W "$(_strat_declared service)" -- "$cur")
    fi
    COMPREPLY=("${dirs[@]}" "${files[@]}" "${names[@]}")
    return 0
}

complete -F _strat strat
