#!/bin/sh
# t0401-run-failure.sh - a failing job: its outputs are removed (kept with
# --keep-incomplete), the last 20 lines of its log are shown, no new job
# starts after it (running ones finish), exit status 1 with a summary;
# with -k independent jobs go on; a job that exits 0 without writing its
# output fails with a MissingOutputException-like message after
# --latency-wait; the next run reruns exactly the failed part.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

cat > Snakefile <<'SNAKE'
rule all:
    input: "a.done", "b.done", "c.done"

rule a:
    output: "a.done"
    priority: 10
    shell: "for i in $(seq 1 30); do echo line $i; done; echo partial > {output}; exit 3"

rule b:
    input: "a.done"
    output: "b.done"
    shell: "touch {output}; echo b >> ran.log"

rule c:
    output: "c.done"
    shell: "touch {output}; echo c >> ran.log"
SNAKE

kr run -c 1 > out.txt 2> err.txt; rc=$?
same "$rc" "1" "failing job: exit status 1"
[ ! -e a.done ]; check $? "its output is removed"
grep -q "Error in rule a" err.txt; check $? "error names the rule"
grep -q "| line 30" err.txt && grep -q "| line 11" err.txt && ! grep -q "| line 10$" err.txt
check $? "the last 20 lines of the log are shown"
grep -q "exit code 3" err.txt; check $? "the exit code is reported"
grep -q "1 of 4 jobs failed" err.txt; check $? "summary counts the failure"
[ ! -e ran.log ]; check $? "with -c 1 and a first (priority 10) no other job started"

kr run -c 1 -k > out.txt 2> err.txt; rc=$?
same "$rc" "1" "-k: still exit 1"
same "$(cat ran.log 2>/dev/null)" "c" "-k: independent job c ran, b (needs a) did not"
grep -q "2 jobs were not run" err.txt; check $? "-k: summary says b and all were not run"

kr run -c 1 --keep-incomplete > /dev/null 2>&1
same "$(cat a.done 2>/dev/null)" "partial" "--keep-incomplete keeps the failed job's output"

sed -i 's/; exit 3"/"/' Snakefile
kr run -c 1 -q > /dev/null 2> err.txt; rc=$?
check $rc "after fixing rule a the run succeeds"
same "$(cat ran.log | tr '\n' ' ')" "c b " "b ran now, c not again"

cat > Snakefile <<'SNAKE'
rule lazy:
    output: "never.txt", "also.txt"
    shell: "echo I forgot"
SNAKE
t0=$(date +%s)
kr run --latency-wait 1 > /dev/null 2> err.txt; rc=$?
t1=$(date +%s)
same "$rc" "1" "job without its outputs fails"
grep -q "MissingOutputException" err.txt && grep -q "never.txt" err.txt && grep -q "also.txt" err.txt
check $? "MissingOutputException lists the missing outputs"
[ $((t1 - t0)) -ge 1 ] && grep -q "missing after waiting 1 s (--latency-wait)" err.txt
check $? "waited --latency-wait 1 s (not the default 5)"

echo "1..$n"
