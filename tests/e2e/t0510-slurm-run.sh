#!/bin/sh
# t0510-slurm-run.sh - `krait run --executor slurm` against the real single-node
# SLURM: resources applied as sbatch options (checked by the job itself with
# scontrol), 12 ready jobs of one rule as one job array (few sbatch calls,
# counted through KRAIT_SLURM_STATS), at most one status query per poll
# interval, a failing job reported with its exit code and log, and SIGINT
# cancelling the run's jobs in SLURM. Brings SLURM up itself
# (tests/slurm/slurm-up.sh --fast); skips when that cannot work here.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
stat_of() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }
# ids of this directory's jobs in squeue (any state), one per line
jobs_here() { squeue --states=all -h -r -o '%i|%Z|%T' | awk -F'|' -v d="$1" '$2 == d { print $1 " " $3 }'; }

# ---- resources and arrays ---------------------------------------------------
mkdir "$T/ok" && cd "$T/ok" || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "res.txt", expand("arr/{i}.txt", i=range(12))

rule res:
    output: "res.txt"
    threads: 2
    resources: mem_mb=300, runtime="1h30m", slurm_extra="--nice=5"
    shell: "scontrol show job -o $SLURM_JOB_ID > {output}"

rule arr:
    output: "arr/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
KRAIT_SLURM_STATS=$PWD/stats $KRAIT run -j 20 --executor slurm --latency-wait 10 > run.out 2>&1
rc=$?
check $rc "krait run --executor slurm exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 20
res=$(cat res.txt 2>/dev/null)
case "$res" in *" NumCPUs=2 "*) check 0 "threads: 2 -> NumCPUs=2" ;; *) check 1 "threads: 2 -> NumCPUs=2" ;; esac
case "$res" in *" MinMemoryNode=300M "*) check 0 "mem_mb=300 -> MinMemoryNode=300M" ;; *) check 1 "mem_mb=300 -> MinMemoryNode=300M" ;; esac
case "$res" in *" TimeLimit=01:30:00 "*) check 0 "runtime='1h30m' -> TimeLimit=01:30:00" ;; *) check 1 "runtime='1h30m' -> TimeLimit=01:30:00" ;; esac
case "$res" in *" Nice=5 "*) check 0 "slurm_extra='--nice=5' -> Nice=5" ;; *) check 1 "slurm_extra='--nice=5' -> Nice=5" ;; esac
case "$res" in *" JobName=krait.res"*) check 0 "job named krait.res..." ;; *) check 1 "job named krait.res..." ;; esac
same "$(cat arr/*.txt 2>/dev/null | sort -n | tr '\n' ' ')" "0 1 2 3 4 5 6 7 8 9 10 11 " "the 12 jobs of rule arr ran"
sb=$(stat_of sbatch stats)
same "${sb:-?}" "2" "13 ready jobs, two rules: 2 sbatch calls (one array for rule arr)"
same "$(stat_of squeue stats)" "$(stat_of status_queries stats)" "one squeue call per status query"
gap=$(stat_of min_query_gap_s stats)
awk -v g="${gap:-0}" 'BEGIN { exit !(g >= 0.99) }'
check $? "status queries at least 1 s apart (min gap ${gap:-?} s)"
sed 's/^/# stats: /' stats 2>/dev/null

# ---- a failing job -------------------------------------------------------------
mkdir "$T/fail" && cd "$T/fail" || exit 1
cat > Snakefile <<'SNAKE'
rule bad:
    output: "bad.txt"
    log: "logs/bad.log"
    shell: "(echo oops >&2; exit 3) 2> {log}"
SNAKE
$KRAIT run -j 2 --executor slurm > run.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "a failing job fails the run (exit $rc)"
grep -q "FAILED: exit code 3" run.out
check $? "the failure says 'FAILED: exit code 3'"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 10
[ ! -e bad.txt ]; check $? "no output left behind"

# ---- SIGINT cancels the run's jobs in SLURM -------------------------------------
mkdir "$T/int" && cd "$T/int" || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: expand("s/{i}.txt", i=range(2))
rule sleepy:
    output: "s/{i}.txt"
    shell: "sleep 60; touch {output}"
SNAKE
$KRAIT run -j 4 --executor slurm > run.out 2>&1 &
kpid=$!
t=0
while [ "$(jobs_here "$PWD" | grep -c RUNNING)" -lt 2 ] && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
same "$(jobs_here "$PWD" | grep -c RUNNING)" "2" "two jobs running in SLURM"
kill -INT $kpid
t=0
while kill -0 $kpid 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
kill -0 $kpid 2>/dev/null && { kill -KILL $kpid; echo "# krait did not exit after SIGINT"; }
wait $kpid
rc=$?
[ $rc -ne 0 ]; check $? "krait exits non-zero after SIGINT (exit $rc)"
t=0
while [ "$(jobs_here "$PWD" | grep -c CANCELLED)" -lt 2 ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
same "$(jobs_here "$PWD" | awk '{ print $2 }' | sort | uniq -c | sed 's/^ *//')" "2 CANCELLED" \
     "both jobs CANCELLED in SLURM"
[ ! -e s/0.txt ] && [ ! -e s/1.txt ]; check $? "no outputs"

rm -rf "$T"
echo "1..$n"
