#!/bin/sh
# t0207-config-aliases.sh - YAML aliases in a configfile: ordinary anchors
# and aliases load as PyYAML would, and a "billion laughs" file (nine levels
# of nine aliases, 387 million values when expanded) fails fast, in little
# memory, with a file:line error instead of growing krait past 4 GB.
: "${KRAIT:?KRAIT must point at the krait binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..5"

cat > Snakefile <<'SMK'
configfile: "config.yaml"
rule all:
    output: "out.txt"
    shell: "echo {config[samples][b][mem]} {config[more][1]} {config[deep][2][0][1]} > {output}"
SMK
cat > config.yaml <<'YML'
base: &base {threads: 2, mem: 4}
samples:
  a: *base
  b: *base
names: &n [x, y]
more: *n
l1: &l1 [p, q, r]
l2: &l2 [*l1, *l1, *l1]
deep: [*l2, *l2, *l2]
YML
${KR_VALGRIND:-} "$KRAIT" run >out 2>err
t $? "a config with anchors and aliases loads"
[ "$(cat out.txt 2>/dev/null)" = "4 y q" ]
t $? "aliased values are the anchors' values"

# nine levels of nine: the limit must stop it long before memory runs out
{
    echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    prev=a
    for l in b c d e f g h i; do
        printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $l $l \
            $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$l
    done
} > config.yaml
# bound the address space to 1 GiB where the binary runs under such a limit
# (sanitizer builds reserve more virtual memory than that up front)
lim=
if (ulimit -v 1048576 && ${KR_VALGRIND:-} "$KRAIT" --version) >/dev/null 2>&1; then
    lim="ulimit -v 1048576;"
fi
rm -f out.txt
sh -c "$lim"' exec ${KR_VALGRIND:-} "$KRAIT" plan' >out 2>err
rc=$?
[ "$rc" = 1 ]
t $? "billion laughs: exit status 1 (got $rc)"
grep -q '^config.yaml:6:4: error: YAML config too large when its aliases are expanded: more than 100000 alias expansions' err
t $? "billion laughs: a file:line error naming the limit"
[ ! -e out.txt ] && ! grep -qi "out of memory" err
t $? "billion laughs: nothing run, no out-of-memory abort"
sed 's/^/# /' err
