#!/bin/sh
# t0512-slurm-detach.sh - `krait run --executor slurm --detach`: the jobs
# whose inputs exist are submitted and krait exits at once, leaving them
# running in SLURM and journaled; the next `krait run --executor slurm`
# re-adopts them (no second sbatch for them), waits for them and runs their
# dependents. A journaled job whose SLURM id SLURM does not know (here: an
# id rewritten in the journal) is run again without using up a retry.
# --detach with the local executor is a usage error. Brings SLURM up itself;
# skips when that cannot work here.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
stat_of() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }
# "ID STATE" of this directory's jobs in squeue (any state)
jobs_here() { squeue --states=all -h -r -o '%i|%Z|%T' | awk -F'|' -v d="$PWD" '$2 == d { print $1 " " $3 }' | sort; }

write_snakefile() {
    cat > Snakefile <<'SNAKE'
rule all:
    input: "b/0.txt", "b/1.txt"
rule a:
    output: "a/{i}.txt"
    shell: "sleep 3; echo {wildcards.i} > {output}"
rule b:
    input: "a/{i}.txt"
    output: "b/{i}.txt"
    shell: "cat {input} > {output}; echo b >> {output}"
SNAKE
}

# ---- --detach, then a run that collects and goes on --------------------------
mkdir "$T/d" && cd "$T/d" || exit 1
write_snakefile
t0=$(date +%s)
KRAIT_SLURM_STATS=$PWD/stats1 $KRAIT run -j 4 --executor slurm --detach > run1.out 2>&1
rc=$?
t1=$(date +%s)
check $rc "krait run --detach exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run1.out | tail -n 20
[ $((t1 - t0)) -lt 3 ]; check $? "it returns without waiting for the jobs ($((t1 - t0)) s)"
grep -q "2 jobs submitted to slurm and left running (0 of 5 done, 3 waiting for them); run \`krait run --executor slurm\` later" run1.out
check $? "it says what it left running and how to go on"
[ $? -eq 0 ] || sed 's/^/#   /' run1.out
same "$(stat_of sbatch stats1)" "2" "only the ready frontier was submitted (2 sbatch calls)"
same "$(jobs_here | wc -l | tr -d ' ')" "2" "two jobs of this directory in SLURM"
[ ! -e b/0.txt ] && [ ! -e b/1.txt ]; check $? "their dependents did not run"
same "$(sqlite3 .krait/state.db 'select count(*) from attempts where state <= 1 and ext_id is not null')" \
     "2" "the two attempts are journaled as running, with their SLURM ids"
ids1=$(jobs_here | awk '{ print $1 }' | tr '\n' ' ')
# krait status: the detached jobs' outputs are running in SLURM, under their ids
$KRAIT status > status1.out 2>&1
check $? "krait status exits 0 while the detached jobs run"
want_status=""
for i in 0 1; do
    id=$(sqlite3 .krait/state.db "select ext_id from attempts where state <= 1 and name like '%i=$i%'")
    want_status="${want_status}a/$i.txt|running (slurm job $id);"
done
same "$(awk -F'\t' '$1 ~ /^a\// { print $1 "|" $6 }' status1.out | sort | tr '\n' ';')" \
     "$want_status" "krait status shows each detached output as running (slurm job ID)"
same "$(awk -F'\t' '$1 ~ /^b\// { print $1 "|" $6 }' status1.out | sort | tr '\n' ';')" \
     "b/0.txt|missing;b/1.txt|missing;" "... and the outputs not submitted yet as missing"
$KRAIT status --json > status1.json 2>&1
same "$(grep -c '"status": "running (slurm job ' status1.json)" "2" "--json says the same"

KRAIT_SLURM_STATS=$PWD/stats2 $KRAIT run -j 4 --executor slurm --latency-wait 10 > run2.out 2>&1
rc=$?
check $rc "the next krait run exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 20
same "$(grep -c 're-adopted rule a' run2.out)" "2" "it re-adopted the two detached jobs"
same "$(stat_of sbatch stats2)" "2" "... and submitted only the two jobs of rule b"
same "$(cat b/0.txt b/1.txt 2>/dev/null | tr '\n' ' ')" "0 b 1 b " "the dependents ran on their outputs"
same "$(jobs_here | grep -c COMPLETED)" "4" "four jobs completed in SLURM"
case " $(jobs_here | awk '{ print $1 }' | tr '\n' ' ')" in
    *" $ids1"*) check 0 "the detached jobs kept their ids ($ids1)" ;;
    *) check 1 "the detached jobs kept their ids ($ids1)" ;;
esac
same "$(sqlite3 .krait/state.db 'select count(*) from attempts where state <= 1')" "0" \
     "nothing is left unfinished in the journal"
$KRAIT status > status2.out 2>&1
same "$(grep -c running status2.out)" "0" "once collected, krait status shows nothing running"
$KRAIT run -j 4 --executor slurm > run3.out 2>&1
check $? "a third run exits 0"
grep -q "Nothing to be done" run3.out
check $? "... with nothing to do (the re-adopted jobs' provenance was recorded)"

# ---- a journaled id SLURM does not know: run again -------------------------------
mkdir "$T/lost" && cd "$T/lost" || exit 1
write_snakefile
$KRAIT run -j 4 --executor slurm --detach a/0.txt > run1.out 2>&1
check $? "--detach with one job"
scancel $(jobs_here | awk '{ print $1 }') 2>/dev/null
t=0
while [ "$(jobs_here | grep -c -v CANCELLED)" -gt 0 ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
rm -f a/0.txt
sqlite3 .krait/state.db "update attempts set ext_id = '999999' where state <= 1"
KRAIT_SLURM_STATS=$PWD/stats2 $KRAIT run -j 4 --executor slurm --latency-wait 10 a/0.txt > run2.out 2>&1
rc=$?
check $rc "a run re-adopting an id SLURM does not know exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 20
same "$(stat_of sbatch stats2)" "1" "the job was submitted again"
same "$(cat a/0.txt 2>/dev/null)" "0" "and made its output"
same "$(sqlite3 .krait/state.db "select state || ' ' || attempt from attempts where ext_id = '999999'")" \
     "3 1" "the lost attempt ended failed (its retry was free)"

# ---- an abandoned attempt is cancelled in SLURM ------------------------------------
mkdir "$T/ab" && cd "$T/ab" || exit 1
write_snakefile
$KRAIT run -j 4 --executor slurm --detach > run1.out 2>&1
check $? "--detach of a/0.txt and a/1.txt"
id1=$(sqlite3 .krait/state.db "select ext_id from attempts where state <= 1 and name like '%i=1%'")
KRAIT_SLURM_STATS=$PWD/stats2 $KRAIT run -j 4 --executor slurm --latency-wait 10 a/0.txt > run2.out 2>&1
rc=$?
check $rc "a run for a/0.txt only exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 20
grep -q "(slurm job $id1) of an interrupted run: not part of this run; cancelling it" run2.out
check $? "the attempt for a/1.txt is abandoned, saying it is cancelled"
[ $? -eq 0 ] || sed 's/^/#   /' run2.out
grep -q "krait: cancelled 1 abandoned slurm job(s)" run2.out
check $? "... and that the cancel went through"
same "$(stat_of scancel stats2)" "1" "one scancel call"
t=0
while [ "$(jobs_here | awk -v id="$id1" '$1 == id { print $2 }')" != CANCELLED ] && [ $t -lt 50 ]; do
    sleep 0.1; t=$((t + 1)); done
same "$(jobs_here | awk -v id="$id1" '$1 == id { print $2 }')" "CANCELLED" \
     "SLURM job $id1 is cancelled"
same "$(cat a/0.txt 2>/dev/null)" "0" "the re-adopted job for a/0.txt finished"
same "$(sqlite3 .krait/state.db 'select count(*) from attempts where state <= 1')" "0" \
     "nothing is left unfinished in the journal"

# ---- the local executor cannot detach ------------------------------------------------
cd "$T/d" || exit 1
$KRAIT run -F --detach > local.out 2>&1
same "$?" "2" "--detach with the local executor is a usage error (exit 2)"
grep -q "the local executor cannot leave jobs running" local.out
check $? "... saying why"

rm -rf "$T"
echo "1..$n"
