#!/bin/sh
# t0511-slurm-reattach.sh - krait SIGKILLed while its SLURM jobs run; the next
# `krait run --executor slurm` finds them in the job journal and re-adopts
# them (executor attach) instead of submitting them again: no sbatch call in
# the second run (KRAIT_SLURM_STATS), the same SLURM job ids, and their outputs
# accepted. Brings SLURM up itself; skips when that cannot work here.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
stat_of() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }
jobs_here() { squeue --states=all -h -r -o '%i|%Z|%T' | awk -F'|' -v d="$PWD" '$2 == d { print $1 }' | sort; }

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(3))
rule slow:
    output: "out/{i}.txt"
    shell: "sleep 8; echo {wildcards.i} > {output}"
SNAKE
KRAIT_SLURM_STATS=$PWD/stats1 $KRAIT run -j 4 --executor slurm > run1.out 2>&1 &
kpid=$!
t=0
while [ "$(jobs_here | wc -l)" -lt 3 ] && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
ids1=$(jobs_here | tr '\n' ' ')
same "$(jobs_here | wc -l)" "3" "three jobs submitted to SLURM"
kill -KILL $kpid
wait $kpid 2>/dev/null
[ ! -e stats1 ]; check $? "the first krait died without shutting down (no stats)"

KRAIT_SLURM_STATS=$PWD/stats2 $KRAIT run -j 4 --executor slurm --latency-wait 10 > run2.out 2>&1
rc=$?
check $rc "the second krait run exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 20
same "$(cat out/*.txt 2>/dev/null | sort | tr '\n' ' ')" "0 1 2 " "the outputs are there"
sb=$(stat_of sbatch stats2)
same "${sb:-?} sbatch calls, ids $(jobs_here | tr '\n' ' ')" "0 sbatch calls, ids $ids1" \
     "the jobs were re-adopted, not resubmitted"
same "$(grep -c 're-adopted rule slow' run2.out)" "3" "the second run says it re-adopted three jobs"
$KRAIT run -j 4 --executor slurm > run3.out 2>&1
check $? "a third run has nothing to do"
echo "1..$n"
