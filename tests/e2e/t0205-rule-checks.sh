#!/bin/sh
# t0205-rule-checks.sh - contradictions found when a job is prepared (the
# static ones are in tests/lang/evalbad): a resources function that returns
# a negative number fails the job with the rule's location, and nothing runs.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..2"
cat > Snakefile <<'SMK'
rule a:
    output: "a.txt"
    resources: mem_mb=lambda wildcards: -5
    shell: "touch {output}"
SMK
$KRAIT run -c 1 > run.out 2>&1
[ $? = 1 ] && grep -q "Snakefile:1:1: error: rule 'a': resource 'mem_mb' must not be negative, got -5" run.out
t $? "a negative resource from a function fails the job, naming rule and resource"
[ ! -e a.txt ]
t $? "the job did not run"
