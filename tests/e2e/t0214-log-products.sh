#!/bin/sh
# t0214-log-products.sh - log: and benchmark: files are products of their
# rule, as in Snakemake (Rule.products): another rule may take them as
# input (MultiQC over the logs of a trimming step). One job per wildcard
# set however its files are asked for (output, log or benchmark); its log
# newer than the consumer's output reruns the consumer.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
cat > Snakefile <<'SNAKE'
SAMPLES = ["a", "b"]
rule all:
    input: "multiqc.txt", "trimmed/a.fq"
rule trim:
    output: "trimmed/{s}.fq"
    log: "logs/trim/{s}.log"
    benchmark: "bench/trim/{s}.tsv"
    shell: "echo {wildcards.s} > {output}; echo trimmed {wildcards.s} > {log}"
rule multiqc:
    input: expand("logs/trim/{s}.log", s=SAMPLES), expand("bench/trim/{s}.tsv", s=SAMPLES)
    output: "multiqc.txt"
    shell: "cat logs/trim/a.log logs/trim/b.log > {output}; head -n 1 bench/trim/a.tsv | cut -f1 >> {output}"
SNAKE
"$KRAIT" plan --json > plan.json 2> plan.err; check $? "plan with logs and benchmarks as inputs"
same "$(jq -r '[.jobs[] | .rule] | sort | join(" ")' plan.json 2>/dev/null)" "all multiqc trim trim" \
     "one trim job per sample, whether its output, log or benchmark is asked for"
"$KRAIT" run -c 2 -q > run.out 2>&1; check $? "the run"
same "$(cat multiqc.txt)" "$(printf 'trimmed a\ntrimmed b\ns')" "multiqc read both logs and a benchmark"
"$KRAIT" plan > plan2.out 2>&1
grep -q "Nothing to be done" plan2.out; check $? "a second plan has nothing to do"
touch -d '2030-01-01' logs/trim/b.log
"$KRAIT" plan --json > plan3.json 2>&1
same "$(jq -r '[.jobs[] | .rule] | sort | join(" ")' plan3.json 2>/dev/null)" "all multiqc" \
     "a newer log reruns its consumer, not its producer"
echo "1..$n"
