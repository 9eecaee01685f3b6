#!/bin/sh
# t0400-run-basic.sh - `krait run` on a small workflow: every job runs once,
# outputs are right, plain progress lines, job logs under .krait/log/, a
# second run has nothing to do, an edited input reruns only what depends on
# it, -n runs nothing, -p prints commands, `krait TARGET` without a command
# is `krait run TARGET`, and a failing command in a pipe fails the job
# (bash -euo pipefail).
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

mkdir -p data
echo alpha > data/A.txt
echo beta > data/B.txt
cat > Snakefile <<'SNAKE'
SAMPLES = ["A", "B"]

rule all:
    input: "report.txt"

rule upper:
    input: "data/{s}.txt"
    output: "up/{s}.txt"
    shell: "tr a-z A-Z < {input} > {output}; echo upper {wildcards.s} >> runs.log; echo made {output}"

rule report:
    input: expand("up/{s}.txt", s=SAMPLES)
    output: "report.txt"
    shell: "cat {input} > {output}; echo report >> runs.log"
SNAKE

kr run -n > dry.out 2>&1; rc=$?
check $rc "run -n exits 0"
[ ! -e up ] && [ ! -e report.txt ] && [ ! -e runs.log ]; check $? "run -n runs nothing"
grep -q "report" dry.out; check $? "run -n prints the plan"

kr run -c 1 > out.txt 2> err.txt; rc=$?
check $rc "run exits 0"
same "$(cat report.txt)" "ALPHA
BETA" "report has both upper-cased inputs"
same "$(sort runs.log | tr '\n' ' ')" "report upper A upper B " "each job ran once"
same "$(grep -c 'done in' err.txt)" "4" "four plain progress lines (rule all counts, as in Snakemake)"
grep -q '^\[3/4\] rule report done in [0-9.]*s$' err.txt; check $? "[3/4] rule report done in Ns"
grep -q '^\[[12]/4\] rule upper (s=A) done in [0-9.]*s$' err.txt
check $? "job line names the wildcards: rule upper (s=A)"
same "$(cat .krait/log/upper/s=A.log)" "made up/A.txt" "job stdout in .krait/log/upper/s=A.log"
[ -f .krait/state.db ]; check $? "state database created"

kr run > out2.txt 2> err2.txt; rc=$?
check $rc "second run exits 0"
same "$(wc -l < runs.log | tr -d ' ')" "3" "second run runs nothing"
grep -q "Nothing to be done" err2.txt; check $? "... and says so"

sleep 1
echo gamma > data/B.txt
kr -p > out3.txt 2> err3.txt; rc=$?
check $rc "krait without a command runs (edited input)"
same "$(tail -n 2 runs.log | tr '\n' ' ')" "upper B report " "only upper B and report reran"
same "$(cat report.txt)" "ALPHA
GAMMA" "report updated"
grep -q "tr a-z A-Z < data/B.txt > up/B.txt" err3.txt; check $? "-p printed the shell command"

kr up/A.txt > /dev/null 2>&1; rc=$?
check $rc "a file target that is up to date"
same "$(wc -l < runs.log | tr -d ' ')" "5" "... runs nothing"

cat > Snakefile <<'SNAKE'
rule bad:
    output: "bad.txt"
    shell: "false | cat > {output}; echo after"
SNAKE
kr run -q > /dev/null 2> err4.txt; rc=$?
same "$rc" "1" "false in a pipe fails the job (pipefail): exit 1"
[ ! -e bad.txt ]; check $? "the failed job's output is removed"

echo "1..$n"
