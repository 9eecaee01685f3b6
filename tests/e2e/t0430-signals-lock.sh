#!/bin/sh
# t0430-signals-lock.sh - SIGINT and SIGTERM stop a run: running jobs are
# killed with their whole process group, their partial outputs removed,
# krait exits 130 / 143, and the next run reruns them. Two krait processes
# started at the same moment in one directory never both run: one gets the
# lock error; `--unlock` clears a lock.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
waitfor() {   # waitfor FILE LINES: up to 10 s
    i=0
    while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(4))
rule slow:
    output: "out/{i}.txt"
    shell: "echo partial > {output}; echo $$ >> pids.log; if [ ! -e fast ]; then sleep 30 & wait; fi; echo done >> {output}"
SNAKE

for sig in INT TERM; do
    rm -f pids.log
    "$KRAIT" run -c 2 -q > /dev/null 2> err.txt &
    pid=$!
    waitfor pids.log 2
    kill -$sig $pid
    t0=$(date +%s)
    wait $pid; rc=$?
    t1=$(date +%s)
    if [ $sig = INT ]; then want=130; else want=143; fi
    same "$rc" "$want" "SIG$sig: krait exits $want"
    [ $((t1 - t0)) -le 5 ]; check $? "SIG$sig: krait stopped within 5 s"
    alive=0
    # live (not zombie) members of each job's process group
    for p in $(cat pids.log); do
        ps -eo pgid=,stat= | awk -v g="$p" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }' &&
            alive=$((alive + 1))
    done
    same "$alive" "0" "SIG$sig: no job process group survives"
    same "$(ls out 2>/dev/null | wc -l | tr -d ' ')" "0" "SIG$sig: partial outputs removed"
    grep -q "SIG$sig received, cancelling 2 running jobs" err.txt; check $? "SIG$sig: says what it does"
done

touch fast
"$KRAIT" run -c 2 -q > /dev/null 2>&1; check $? "next run completes"
same "$(cat out/*.txt | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" "4 done 4 partial " \
     "all four jobs complete"

# two kraits at once
rm -rf out .krait
cat > Snakefile <<'SNAKE'
rule one:
    output: "one.txt"
    shell: "echo run >> runs.log; sleep 1; touch {output}"
SNAKE
"$KRAIT" run -q > a.out 2>&1 &
p1=$!
"$KRAIT" run -q > b.out 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
same "$(echo $r1 $r2 | tr ' ' '\n' | sort | tr '\n' ' ')" "0 1 " "two kraits at once: one succeeds, one fails"
cat a.out b.out | grep -q "locked by krait pid"; check $? "the loser reports the lock holder"
same "$(wc -l < runs.log | tr -d ' ')" "1" "the job ran once"

"$KRAIT" run --unlock > unlock.out 2>&1; check $? "--unlock exits 0"

echo "1..$n"
