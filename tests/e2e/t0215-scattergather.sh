#!/bin/sh
# t0215-scattergather.sh - Snakemake's scattergather: a split count per
# name, scatter.NAME()/gather.NAME() expanding {scatteritem} to "1-of-N" ..
# "N-of-N", --set-scatter NAME=N overriding the count, scatteritem
# constrained to \d+-of-\d+; scatter used without a declaration, or a count
# that is not a positive integer, are errors where they are written.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
cat > Snakefile <<'SNAKE'
scattergather:
    split=4
rule all:
    input: "gathered/all.txt"
rule split:
    output: scatter.split("splitted/{scatteritem}.txt")
    shell: "for f in {output}; do echo $f > $f; done"
rule intermediate:
    input: "splitted/{scatteritem}.txt"
    output: "splitted/{scatteritem}.post.txt"
    shell: "cp {input} {output}"
rule gather:
    input: gather.split("splitted/{scatteritem}.post.txt")
    output: "gathered/all.txt"
    shell: "cat {input} > {output}"
SNAKE
"$KRAIT" plan --json > plan.json 2>&1; check $? "plan"
same "$(jq -r '[.jobs[] | .rule] | sort | join(" ")' plan.json)" \
     "all gather intermediate intermediate intermediate intermediate split" "one intermediate job per part"
"$KRAIT" run -q -c 2 > run.out 2>&1; check $? "run"
same "$(cat gathered/all.txt | tr '\n' ' ')" \
     "splitted/1-of-4.txt splitted/2-of-4.txt splitted/3-of-4.txt splitted/4-of-4.txt " "gathered 4 parts in order"
rm -rf gathered splitted .krait
"$KRAIT" run -q -c 2 --set-scatter split=2 > run2.out 2>&1; check $? "run --set-scatter split=2"
same "$(cat gathered/all.txt | tr '\n' ' ')" "splitted/1-of-2.txt splitted/2-of-2.txt " "... two parts"
printf 'x = scatter.split("a/{scatteritem}")\n' > Snakefile.undeclared
"$KRAIT" lint -s Snakefile.undeclared > u.out 2>&1; [ $? -ne 0 ]; check $? "scatter without scattergather: fails"
grep -q "^Snakefile.undeclared:1:5: error: 'scatter' is empty until a scattergather: NAME=COUNT declaration" u.out
check $? "... saying what to declare"
printf 'scattergather:\n    split=0\n' > Snakefile.zero
"$KRAIT" lint -s Snakefile.zero > z.out 2>&1; [ $? -ne 0 ]; check $? "a count of 0 fails"
grep -q "^Snakefile.zero:2:11: error: scattergather: split must be a positive integer, got 0" z.out
check $? "... at the count"
echo "1..$n"
