#!/bin/sh
# t0402-retries.sh - --retries N and the rule's `retries:`: a failing job is
# run again up to N more times, `attempt` is visible to resource lambdas
# (here mem_mb grows with the attempt, seen by the job), and a job failing
# every attempt fails the run after 1 + N attempts.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

cat > Snakefile <<'SNAKE'
rule all:
    input: "flaky.txt", "stubborn.txt"

rule flaky:
    output: "flaky.txt"
    resources: mem_mb=lambda wildcards, attempt: attempt * 100
    shell:
        "echo {resources.mem_mb} >> attempts.log; "
        "if [ $(wc -l < attempts.log) -lt 3 ]; then exit 1; fi; "
        "echo ok > {output}"

rule stubborn:
    output: "stubborn.txt"
    retries: 1
    shell: "echo x >> stubborn.log; exit 7"
SNAKE

kr run -c 1 --retries 3 -k > out.txt 2> err.txt; rc=$?
same "$rc" "1" "stubborn fails the run"
same "$(cat attempts.log | tr '\n' ' ')" "100 200 300 " "flaky: attempts see mem_mb = attempt * 100"
same "$(cat flaky.txt)" "ok" "flaky succeeded on attempt 3"
same "$(wc -l < stubborn.log | tr -d ' ')" "2" "rule retries: 1 overrides --retries 3: two attempts"
grep -q "attempt 2 of 2" err.txt; check $? "failure message says attempt 2 of 2"
same "$(grep -c 'failed, retrying' err.txt)" "3" "three retry notices (2 flaky, 1 stubborn)"

echo "1..$n"
