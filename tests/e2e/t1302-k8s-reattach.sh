#!/bin/sh
# t1302-k8s-reattach.sh - the kubernetes executor and krait's life cycle:
# SIGINT deletes the run's Jobs (one collection DELETE) and their pods' processes
# die; --detach leaves the Jobs running and the next run re-adopts them from the
# journal; SIGKILL while Jobs run, then a rerun re-adopts them (no Job created
# twice); and a Job created but never journaled (krait killed in between,
# simulated by clearing the journaled names) is adopted by its identity label
# and waited for, then run again, as its outputs cannot be trusted (never two
# executions at once); and krait SIGKILLed at random moments, five rounds, then run
# to the end: every output complete, nothing partial recorded, no job executed
# twice at the same time. Skips when the test cluster cannot run here.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
k8s_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
stat_of() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }
K="$KRAIT run --executor kubernetes --executor-arg k8s-poll-min=0.2 --container-image busybox"
wait_jobs() {   # wait_jobs N: until N running Jobs of this directory exist (max 20 s)
    t=0
    while [ "$(k8s_jobs_here | wc -l)" -lt "$1" ] && [ $t -lt 300 ]; do sleep 0.2; t=$((t + 1)); done
}
write_sf() {
cat > Snakefile <<SNAKE
rule all:
    input: expand("out/{i}.txt", i=range(3))
rule slow:
    output: "out/{i}.txt"
    shell: "sleep $1; echo {wildcards.i} > {output}"
SNAKE
}

# ---- SIGINT cancels ----------------------------------------------------------------
mkdir "$T/int" && cd "$T/int" || exit 1
write_sf 60
KRAIT_K8S_STATS=$PWD/stats $K -j 4 > run.out 2>&1 &
kpid=$!
wait_jobs 3
same "$(k8s_jobs_here | wc -l)" "3" "three Jobs running"
sleep 1
kill -INT $kpid
wait $kpid
rc=$?
[ $rc -ne 0 ]; check $? "krait stops on SIGINT (exit $rc)"
same "$(stat_of delete stats)" "1" "one DELETE request for the run's three Jobs"
t=0
while [ -n "$(k8s_jobs_here all)" ] && [ $t -lt 300 ]; do sleep 0.2; t=$((t + 1)); done
same "$(k8s_jobs_here all | wc -l)" "0" "the run's Jobs are gone"
t=0   # the kubelet kills them when it sees the pods deleted: wait for that, bounded
while pgrep -f "sleep 60; echo" >/dev/null && [ $t -lt 300 ]; do sleep 0.2; t=$((t + 1)); done
pgrep -f "sleep 60; echo" >/dev/null
[ $? -ne 0 ]; check $? "the pods' processes were killed"

# ---- --detach, then reattach ---------------------------------------------------------
mkdir "$T/det" && cd "$T/det" || exit 1
write_sf 4
KRAIT_K8S_STATS=$PWD/stats1 timeout 30 $K -j 4 --detach > run1.out 2>&1
check $? "krait run --detach exits 0"
same "$(k8s_jobs_here | wc -l)" "3" "and leaves three Jobs running"
KRAIT_K8S_STATS=$PWD/stats2 $K -j 4 > run2.out 2>&1
rc=$?
check $rc "the next run exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 10
same "$(stat_of post stats2)" "0" "it created no Job"
same "$(grep -c 're-adopted' run2.out)" "3" "it re-adopted the three Jobs"
same "$(cat out/*.txt 2>/dev/null | sort | tr '\n' ' ')" "0 1 2 " "the outputs are there"

# ---- SIGKILL, then rerun -----------------------------------------------------------------
mkdir "$T/kill" && cd "$T/kill" || exit 1
write_sf 12     # long enough for a slow (sanitizer) krait to be killed while they run
KRAIT_K8S_STATS=$PWD/stats1 $K -j 4 > run1.out 2>&1 &
kpid=$!
wait_jobs 3
ids1=$(k8s_jobs_here | tr '\n' ' ')
kill -KILL $kpid
wait $kpid 2>/dev/null
[ ! -e stats1 ]; check $? "the first krait died without shutting down"
KRAIT_K8S_STATS=$PWD/stats2 $K -j 4 > run2.out 2>&1
rc=$?
check $rc "the rerun exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 10
same "$(stat_of post stats2) $(k8s_jobs_here all | tr '\n' ' ')" "0 $ids1" \
    "no Job created twice: the same three Jobs, none new"
same "$(cat out/*.txt 2>/dev/null | sort | tr '\n' ' ')" "0 1 2 " "the outputs are there"

# ---- created but not journaled: adopted by identity ------------------------------------
mkdir "$T/orphan" && cd "$T/orphan" || exit 1
write_sf 10
$K -j 4 > run1.out 2>&1 &
kpid=$!
wait_jobs 3
ids1=$(k8s_jobs_here | tr '\n' ' ')
kill -KILL $kpid
wait $kpid 2>/dev/null
sqlite3 .krait/state.db "update attempts set ext_id = NULL"
check $? "the journal forgets the Jobs' names (as if killed before journaling)"
KRAIT_K8S_STATS=$PWD/stats2 $K -j 4 > run2.out 2>&1
rc=$?
check $rc "the rerun exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 10
same "$(stat_of jobs_adopted stats2) $(stat_of post stats2)" "3 3" \
    "the three running Jobs were adopted by identity, waited for, then run again (3 new Jobs)"
same "$(grep -c 'not trusted, running the job again' run2.out)" "3" \
    "the rerun says why (outputs of an unjournaled attempt are not trusted)"
same "$(cat out/*.txt 2>/dev/null | sort | tr '\n' ' ')" "0 1 2 " "the outputs are there"

# ---- SIGKILL at random moments ------------------------------------------------------------
# 40 jobs that write their output slowly in five parts, each holding an flock on
# locks/I while it runs (a second execution at the same time finds it held);
# krait SIGKILLed at a random moment in each of 5 rounds, then run to the end.
mkdir -p "$T/rand/locks" && cd "$T/rand" || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(40))
rule slow:
    output: "out/{i}.txt"
    shell:
        "exec 9>>locks/{wildcards.i}; "
        "flock -n 9 || echo dup {wildcards.i} $HOSTNAME >> dup.log; "
        "echo start {wildcards.i} $HOSTNAME >> exec.log; "
        "for k in 1 2 3 4 5; do printf \"part$k \" >> {output}; sleep 0.$((3 + RANDOM % 5)); done; "
        "echo END >> {output}"
SNAKE
: > dup.log
partial=0
killed=0
complete() {    # complete I...: how many of the outputs are not complete
    bad=0
    for i in "$@"; do
        [ "$(cat "out/$i.txt" 2>/dev/null)" = "part1 part2 part3 part4 part5 END" ] || bad=$((bad + 1))
    done
    echo $bad
}
for r in 1 2 3 4 5; do
    $K -j 16 -q > "round$r.out" 2>&1 &
    kpid=$!
    sleep "$(awk -v s="$$$r$(date +%N)" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * 2.5 }')"
    kill -KILL $kpid 2>/dev/null && killed=$((killed + 1))
    wait $kpid 2>/dev/null
    # outputs the journal records as done must be complete now
    done_now=$(sqlite3 .krait/state.db "select o.path from attempt_outputs o join attempts a on
        a.id = o.attempt_id where a.state = 2" 2>/dev/null | sed 's|^out/||; s|\.txt$||')
    partial=$((partial + $(complete $done_now)))
done
$K -j 16 -q > final.out 2>&1
rc=$?
check $rc "after $killed random SIGKILLs the final run completes"
[ $rc -eq 0 ] || sed 's/^/#   /' final.out | tail -n 10
same "$(complete $(seq 0 39))" "0" "all 40 outputs complete"
same "$partial" "0" "no partial output was ever recorded as done"
same "$(wc -l < dup.log)" "0" "no job ran twice at the same time (no Job created for a running one)"
[ -s dup.log ] && sed 's/^/#   /' dup.log
echo "# $(grep -c '^start' exec.log) executions of 40 jobs over $killed killed rounds"

rm -rf "$T"
echo "1..$n"
