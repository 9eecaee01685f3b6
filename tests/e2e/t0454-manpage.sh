#!/bin/sh
# t0454-manpage.sh - docs/krait.1 and scripts/krait-completion.bash against
# the program. Man page: every subcommand of `krait help` has its entry,
# every long option that `krait CMD --help` prints appears in the page, and
# every option the page names exists (in some --help, or is one of the
# undocumented-in-help aliases), so the two cannot drift; groff renders it
# without warnings (skipped without groff). Completion: sourced in bash,
# _krait completes subcommands, per-subcommand options, rule names (from
# `krait lint --json`) and files.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
man1="$KR_SRCDIR/docs/krait.1"

cmds=$(kr help | sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p}')
test -n "$cmds"
check $? "krait help lists the subcommands"
missing=
for c in $cmds; do
    grep -q "^\.BR .*\"krait $c[\" ]" "$man1" || missing="$missing $c"
done
same "$missing" "" "every subcommand has an entry in krait.1"

# long options of each subcommand's --help (state's help is its usage)
helpopts=
missing=
for c in $cmds; do
    [ "$c" = version ] && continue
    if [ "$c" = state ]; then h=$(kr state --help 2>&1); else h=$(kr "$c" --help 2>&1); fi
    for o in $(printf '%s\n' "$h" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
        helpopts="$helpopts $o"
        name=${o#--}
        # in roff each dash of the name is written \-
        pat=$(printf '%s' "$name" | sed 's/-/\\\\-/g')
        grep -qE "\\\\-\\\\-$pat([^A-Za-z0-9\\\\]|\\\\f|\$)" "$man1" || missing="$missing $c:$o"
    done
done
same "$missing" "" "every long option of krait CMD --help appears in krait.1"

# and the other way: every \-\-name in the page is an option of some command
extra=
for o in $(grep -v '^\.\\"' "$man1" | grep -oE '\\-\\-[a-z](\\-|[a-z0-9])*' | sed 's/\\-/-/g' | sort -u); do
    case " $helpopts " in *" $o "*) continue ;; esac
    case $o in --dryrun|--restart-times) continue ;; esac     # aliases without help
    extra="$extra $o"
done
same "$extra" "" "every option krait.1 names exists"

if command -v groff >/dev/null 2>&1; then
    w=$(groff -man -ww -z "$man1" 2>&1)
    same "$w" "" "groff renders krait.1 without warnings"
else
    echo "ok $((n = n + 1)) # SKIP groff not installed"
fi

# ---- bash completion ----
if ! command -v bash >/dev/null 2>&1; then
    echo "1..$n # SKIP bash not installed"
    exit 0
fi
mkdir wf && cd wf || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "c.txt"
rule copy:
    input: "a.txt"
    output: "b.txt"
    shell: "cp {input:q} {output:q}"
rule cat_it:
    input: "b.txt"
    output: "c.txt"
    shell: "cat {input:q} > {output:q}"
SNAKE
echo a > a.txt
comp() {
    bash -c '. "$1/scripts/krait-completion.bash"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _krait
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' sh "$KR_SRCDIR" "$KRAIT" "$@"
}
same "$(comp ru)" "run " "krait ru -> run"
same "$(comp pl)" "plan " "krait pl -> plan"
same "$(comp run --kee)" "--keep-going --keep-incomplete " "krait run --kee -> its options"
same "$(comp archive --with)" "--with-inputs " "krait archive --with -> --with-inputs"
same "$(comp dag --for)" "--force --forceall --forcerun --format " "krait dag --for: dag's options"
same "$(comp plan --for)" "--force --forceall --forcerun " "krait plan --for: no --format"
same "$(comp log --r)" "--raw --run " "krait log --r -> log's options"
same "$(comp run c)" "cat_it copy " "a target position: rule names"
same "$(comp run a)" "a.txt all " "a target position: rule names and files"
same "$(comp plan -R co)" "copy " "-R RULE: rule names"
same "$(comp dag --format m)" "mermaid " "--format values"
same "$(comp state r)" "repair " "krait state r -> repair"
same "$(comp report --max)" "--max-bars " "krait report --max -> its options"
cd .. || exit 1
same "$(comp -d wf run c)" "cat_it copy " "-d DIR: the rules of DIR's workflow"

echo "1..$n"
