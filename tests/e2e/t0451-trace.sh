#!/bin/sh
# t0451-trace.sh - the trace of a run, as Nextflow's trace.txt: `krait run
# --trace FILE` and `krait log --trace [--run ID] [--raw]` give one TSV row
# per job attempt with its status, exit code, times, CPU, peak memory and
# I/O (from wait4 on the local executor), executor and native id. A job
# that holds 60 MB shows a peak_rss of at least that; a failed job shows
# FAILED and its exit code; a retried job has a row per attempt.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 is needed for the memory-hungry job"; exit 0; }
cat > Snakefile <<'SNAKE'
rule all:
    input: "big.txt", "bad.txt"
rule big:
    output: "big.txt"
    shell: "python3 -c 'x = bytearray(60 * 1024 * 1024); x[-1] = 1' && echo big > {output}"
rule bad:
    output: "bad.txt"
    retries: 1
    shell: "exit 3"
SNAKE
"$KRAIT" run -k -c 2 --trace trace.tsv > run.out 2>&1; [ $? -ne 0 ]; check $? "the run fails (bad exits 3)"
same "$(head -n 1 trace.tsv)" "$(printf 'task_id\tname\tstatus\texit\tsubmit\tstart\tcomplete\tduration\trealtime\t%%cpu\tpeak_rss\tread_bytes\twrite_bytes\texecutor\tnative_id\tattempt\thost')" \
     "the header has Nextflow's column names"
col() { awk -F'\t' -v n="$1" -v c="$2" '$2 == n { print $c }' "$3"; }
same "$(col big 3 trace.tsv)|$(col big 4 trace.tsv)|$(col big 14 trace.tsv)" "COMPLETED|0|local" "big: COMPLETED, exit 0, local"
same "$(col bad 3 trace.tsv | tr '\n' ' ')|$(col bad 4 trace.tsv | tr '\n' ' ')|$(col bad 16 trace.tsv | tr '\n' ' ')" \
     "FAILED FAILED |3 3 |1 2 " "bad: a FAILED row with exit 3 per attempt"
col big 15 trace.tsv | grep -Eq '^pid:[0-9]+$'; check $? "the native id is the local pid"
col big 5 trace.tsv | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$'
check $? "submit is a date with milliseconds"
col big 11 trace.tsv | grep -Eq '^[0-9.]+ MB$'; check $? "peak_rss is in MB ($(col big 11 trace.tsv))"

"$KRAIT" log --trace > log.tsv 2> log.err; check $? "krait log --trace"
cmp -s log.tsv trace.tsv; check $? "... is what run --trace wrote"
"$KRAIT" log --trace --raw --run 1 > raw.tsv; check $? "krait log --trace --raw --run 1"
rss=$(col big 11 raw.tsv)
[ "${rss:-0}" -ge $((60 * 1024 * 1024)) ]; check $? "peak_rss of the 60 MB job is at least 60 MB ($rss bytes)"
s=$(col big 6 raw.tsv); e=$(col big 7 raw.tsv); r=$(col big 9 raw.tsv)
[ "$((e - s))" = "$r" ]; check $? "realtime is complete - start in milliseconds"
col big 10 raw.tsv | grep -Eq '^[0-9]+\.[0-9]$'; check $? "%cpu is a number"
"$KRAIT" log --trace --run 99 > /dev/null 2> err99; [ $? -ne 0 ]; check $? "an unknown run fails"
grep -q "no run 99" err99; check $? "... naming it"
echo "1..$n"
