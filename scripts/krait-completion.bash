# krait-completion.bash - bash completion for krait: subcommands, the long
# options of each subcommand, rule names and files as targets.
#
# Installed as $(datadir)/bash-completion/completions/krait (bash-completion
# loads it on first use of `krait`); or source it from ~/.bashrc.
#
# Where the words come from, at completion time, from the krait being
# completed (the first word of the line, so ./build/krait works too):
#   subcommands  `krait help` (the command table of src/main.c)
#   options      `krait CMD --help`: every --name it prints. Nothing is
#                generated at build time, so completion cannot disagree with
#                the binary it completes; the cost is one krait --help per
#                subcommand and shell, cached in _krait_opts_cache.
#   rule names   `krait lint --json` in the workflow the line names (-d DIR,
#                -s FILE), the "name" of each entry of "rules"; not cached,
#                as the rule file may change between completions.
# Targets are rule names and files. Values of options that take a file or a
# directory complete as such; rule-valued options (-R, -U, -O,
# --allowed-rules) complete rule names.

# The krait to ask: the first word when it is a path to a program.
_krait_prog()
{
    local p=${COMP_WORDS[0]}
    if [[ $p == */* && -x $p ]]; then
        printf '%s\n' "$p"
    else
        printf 'krait\n'
    fi
}

# Subcommands, one a line.
_krait_commands()
{
    "$(_krait_prog)" help 2>/dev/null |
        sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p}'
    printf 'help\n'
}

declare -gA _krait_opts_cache 2>/dev/null || declare -A _krait_opts_cache

# The long options of subcommand $1, from `krait $1 --help`.
_krait_options()
{
    local cmd=$1 prog
    prog=$(_krait_prog)
    if [[ -z ${_krait_opts_cache[$prog/$cmd]:-} ]]; then
        _krait_opts_cache[$prog/$cmd]=$("$prog" "$cmd" --help 2>/dev/null |
            grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
    fi
    printf '%s\n' "${_krait_opts_cache[$prog/$cmd]}"
}

# Rule names of the workflow the command line names (-d DIR, -s FILE).
_krait_rules()
{
    local i dir=. sf= prog
    prog=$(_krait_prog)
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
            -d|--directory) dir=${COMP_WORDS[i+1]} ;;
            -s|--snakefile) sf=${COMP_WORDS[i+1]} ;;
        esac
    done
    (
        cd "$dir" 2>/dev/null || exit 0
        "$prog" lint --json ${sf:+-s "$sf"} 2>/dev/null |
            if command -v python3 >/dev/null 2>&1; then
                python3 -c 'import json, sys
for r in json.load(sys.stdin).get("rules", []): print(r["name"])' 2>/dev/null
            else
                # rules are the objects at the second level: their keys
                # stand 6 spaces in (krait lint --json is indented by 2)
                sed -n 's/^      "name": "\([^"]*\)",\{0,1\}$/\1/p'
            fi
    )
}

_krait()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w
    COMPREPLY=()
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}

    # the subcommand: the first word that is one
    local cmds
    cmds=$(_krait_commands)
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $'\n'$cmds$'\n' == *$'\n'$w$'\n'* ]]; then
            cmd=$w
            break
        fi
    done

    if [[ -z $cmd && $COMP_CWORD -eq 1 && $cur != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
        return 0
    fi
    [[ -z $cmd ]] && cmd=run    # `krait [options] [targets]` is `krait run`

    case $cmd in
        help|version) return 0 ;;
        state)
            [[ $prev == state ]] &&
                mapfile -t COMPREPLY < <(compgen -W "check repair" -- "$cur")
            [[ $prev == repair ]] &&
                mapfile -t COMPREPLY < <(compgen -W "--force" -- "$cur")
            return 0 ;;
    esac

    # the value of an option
    case $prev in
        -s|--snakefile|--configfile|--explain|--trace|--report|-o|--output|parse)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return 0 ;;
        -d|--directory|--workflow-profile|--profile)
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            return 0 ;;
        -R|--forcerun|-U|--until|-O|--omit-from|--allowed-rules)
            mapfile -t COMPREPLY < <(compgen -W "$(_krait_rules)" -- "$cur")
            return 0 ;;
        --format)
            mapfile -t COMPREPLY < <(compgen -W "dot mermaid json" -- "$cur")
            return 0 ;;
        -e|--executor)
            mapfile -t COMPREPLY < <(compgen -W "local slurm kubernetes aws-batch" -- "$cur")
            return 0 ;;
        --container-runtime)
            mapfile -t COMPREPLY < <(compgen -W "docker podman apptainer singularity" -- "$cur")
            return 0 ;;
        --storage-staging)
            mapfile -t COMPREPLY < <(compgen -W "shared presigned" -- "$cur")
            return 0 ;;
        --rerun-triggers)
            mapfile -t COMPREPLY < <(compgen -W "mtime params input code software-env container" -- "$cur")
            return 0 ;;
        -c|--cores|-j|--jobs|--run|--retries|--restart-times|--latency-wait|\
        --batch|--max-checksum-file-size|--slurm-array-threshold|--s3-endpoint-url|\
        --k8s-namespace|--k8s-gpu-resource|--k8s-pvc|\
        --container-image|--container-args|--max-bars|--default-storage|\
        --default-storage-provider|--default-storage-prefix|--wrapper-prefix|--set-scatter|\
        --shadow-prefix|--aws-batch-queue|--aws-batch-endpoint-url)
            return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_krait_options "$cmd")" -- "$cur")
        return 0
    fi
    case $cmd in
        lint|log|report) return 0 ;;
        parse|archive)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return 0 ;;
    esac
    # targets: rule names and files
    mapfile -t COMPREPLY < <(compgen -W "$(_krait_rules)" -- "$cur"; compgen -f -- "$cur")
    return 0
}

complete -o filenames -o bashdefault -F _krait krait
