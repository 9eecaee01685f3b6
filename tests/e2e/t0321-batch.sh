#!/bin/sh
# t0321-batch.sh - --batch RULE=I/N plans one batch of RULE's input files
# (sorted, floor(n/N) per batch, the last taking the rest); before the last
# batch RULE and what follows it are left out, the last one needs the
# earlier batches' files. Jobs checked against snakemake 7.21 on the same
# Snakefile: 7 inputs in 3 batches -> 1/3 runs one for i=0,1; 2/3 for
# i=2,3; 3/3 for i=4,5,6 and all (4 jobs); 3/3 first fails.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
# the jobs of a dry run as "rule:wildcards" words
jobs_of() {
    awk '/^rule / { r = $2 } /^    wildcards:/ { w = $2 }
         /^    reason:/ { printf "%s%s ", r, (w != "" ? ":" w : ""); w = "" }' "$1"
}

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(7))
    output: "all.txt"
    shell: "cat {input} > {output}"
rule one:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE

kr run -n --batch all=3/3 > early 2>&1
check $((! $?)) "the last batch before the others fails"
grep -q "batch all=3/3: 'out/0.txt' of an earlier batch is missing; run the earlier batches first" early
check $? "... naming a missing file"
kr run -n --batch all=1/3 > b1 2>&1
same "$(jobs_of b1)" "one:i=0 one:i=1 " "batch 1/3: the first two inputs, not rule all"
kr run -q -c 1 --batch all=1/3 > r1 2>&1
check $? "batch 1/3 runs"
kr run -n --batch all=2/3 > b2 2>&1
same "$(jobs_of b2)" "one:i=2 one:i=3 " "batch 2/3: the next two"
kr run -q -c 1 --batch all=2/3 > r2 2>&1
kr run -n --batch all=3/3 > b3 2>&1
same "$(jobs_of b3)" "one:i=4 one:i=5 one:i=6 all " "batch 3/3: the rest and rule all"
kr run -q -c 1 --batch all=3/3 > r3 2>&1
check $? "batch 3/3 runs"
same "$(tr '\n' ' ' < all.txt)" "0 1 2 3 4 5 6 " "all inputs made across the batches"
kr run -n --batch all=8/8 -F > many 2>&1
grep -q "rule all has 7 input files, fewer than batches" many
check $? "more batches than inputs is refused"
kr run -n --batch all=0/3 > zero 2>&1
same "$?" 2 "batch 0 is a usage error"
kr run -n --batch nope=1/2 > nope 2>&1
grep -q "^krait: error: --batch: no rule named 'nope'" nope
check $? "an unknown batching rule is named"
echo "1..$n"
