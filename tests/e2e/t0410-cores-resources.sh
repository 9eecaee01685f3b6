#!/bin/sh
# t0410-cores-resources.sh - what may run at once, proven by timestamps the
# jobs write: -c N bounds the sum of threads; threads above the cores are
# capped; --resources mem_mb=M bounds the sum of mem_mb; a job asking more
# than the limit fails as Snakemake says ("needs mem_mb=... but only ...");
# with -c 1, priority decides first, then the longest path to the end.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
# the most jobs running at one time, from "start T" / "end T" lines
maxpar() {
    sort -k2,2n -k1,1r "$1" | awk '$1 == "start" { c++; if (c > m) m = c } $1 == "end" { c-- } END { print m + 0 }'
}

cat > Snakefile <<'SNAKE'
N = range(6)
rule all:
    input: expand("out/{i}.txt", i=N)
rule work:
    output: "out/{i}.txt"
    threads: int(config.get("threads", 1))
    resources: mem_mb=int(config.get("mem", 100))
    shell: "echo start $(date +%s.%N) >> times.log; sleep 0.4; echo end $(date +%s.%N) >> times.log; touch {output}"
SNAKE

kr run -c 2 -q > /dev/null 2>&1; check $? "6 jobs, -c 2"
same "$(maxpar times.log)" "2" "-c 2: two jobs at once, never more"

rm -rf out times.log .krait
kr run -c 3 --config threads=2 -q > /dev/null 2>&1; check $? "threads 2, -c 3"
same "$(maxpar times.log)" "1" "threads=2 with -c 3: one job at a time"

rm -rf out times.log .krait
kr run -c 1 --config threads=8 -q > /dev/null 2>&1; check $? "threads 8 capped at -c 1: still runs"

rm -rf out times.log .krait
kr run -c 6 --resources mem_mb=350 --config mem=100 -q > /dev/null 2>&1; check $? "mem limit run"
same "$(maxpar times.log)" "3" "--resources mem_mb=350 with 100 each: three at once"

rm -rf out times.log .krait
kr run -c 6 --resources mem_mb=50 --config mem=100 -q > /dev/null 2> err.txt; rc=$?
same "$rc" "1" "a job needing more than the limit fails"
grep -q "needs mem_mb=100 but only mem_mb=50 are available" err.txt
check $? "... with Snakemake's message"

rm -rf out times.log .krait
cat > Snakefile <<'SNAKE'
rule all:
    input: "low.txt", "high.txt", "chain2.txt", "mid.txt"
rule low:
    output: "low.txt"
    shell: "echo low >> order.log; touch {output}"
rule high:
    output: "high.txt"
    priority: 5
    shell: "echo high >> order.log; touch {output}"
rule mid:
    output: "mid.txt"
    priority: 1
    shell: "echo mid >> order.log; touch {output}"
rule chain1:
    output: "chain1.txt"
    shell: "echo chain1 >> order.log; touch {output}"
rule chain2:
    input: "chain1.txt"
    output: "chain2.txt"
    shell: "echo chain2 >> order.log; touch {output}"
SNAKE
kr run -c 1 -q > /dev/null 2>&1; check $? "priority workflow"
same "$(head -n 3 order.log | tr '\n' ' ')" "high mid chain1 " \
     "-c 1: priority first, then the longer path (chain1 before low)"
same "$(sort order.log | tr '\n' ' ')" "chain1 chain2 high low mid " "every job ran once"

echo "1..$n"
