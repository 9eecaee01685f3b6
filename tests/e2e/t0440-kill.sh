#!/bin/sh
# t0440-kill.sh - THE KILL TEST. 200 jobs, each writing its output slowly in
# five parts with random pauses. krait is SIGKILLed at random moments, nine
# rounds, then run to the end. Every job must complete with a complete
# output (a partial output of an interrupted job is never accepted, since
# that would leave it partial), and no job whose completion krait recorded
# runs again. Every job appends "start I P" / "end I P" to a side log, P
# being the pid of the krait that launched it; an end by krait P counts as
# recorded once P launches any later job (the run loop records finished
# jobs before it starts new ones). A job that starts or ends again after a
# recorded end is a rerun of a completed job.
set -u
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
n=0
check() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
same() {
    if [ "$1" = "$2" ]; then check 0 "$3"; else
        check 1 "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2"; fi
}

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(200))
rule slow:
    output: "out/{i}.txt"
    shell:
        "echo start {wildcards.i} $PPID >> exec.log; "
        "for k in 1 2 3 4 5; do printf \"part$k \" >> {output}; sleep 0.0$((RANDOM % 9)); done; "
        "echo END >> {output}; "
        "echo end {wildcards.i} $PPID >> exec.log"
SNAKE

rounds=0
killed=0
for r in 1 2 3 4 5 6 7 8 9; do
    "$KRAIT" run -c 4 -q > "round$r.out" 2>&1 &
    pid=$!
    # a random moment between 0.3 and 1.5 s
    sleep "$(awk -v s="$$$r" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 1.2 }')"
    if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
    wait $pid 2>/dev/null
    echo "KILL $pid" >> exec.log
    rounds=$((rounds + 1))
done
[ $killed -ge 8 ]; check $? "krait was SIGKILLed in at least 8 of 9 rounds ($killed)"

"$KRAIT" run -c 4 -q > final.out 2>&1; rc=$?
check $rc "final run completes"
complete=0
for i in $(seq 0 199); do
    [ "$(cat out/$i.txt 2>/dev/null)" = "part1 part2 part3 part4 part5 END" ] && complete=$((complete + 1))
done
same "$complete" "200" "all 200 outputs complete (no partial output accepted)"
bad=$(awk '
    $1 == "start" || $1 == "end" {
        i = $2; p = $3
        if ($1 == "start") {
            # krait p starting a job means every job it saw end is recorded
            for (k in pend) if (pend[k] == p) { confirmed[k] = 1; delete pend[k] }
            if (confirmed[i]) { bad++; print "# rerun of completed job " i > "/dev/stderr" }
        } else {
            if (confirmed[i]) bad++
            pend[i] = p
        }
    }
    END { print bad + 0 }' exec.log)
same "$bad" "0" "no job whose completion was recorded ran again"
ends=$(awk '$1 == "end" { e[$2] = 1 } END { print length(e) }' exec.log)
same "$ends" "200" "every job ended at least once"
runs=$(grep -c '^start' exec.log)
echo "# $runs executions for 200 jobs over $rounds killed rounds"
"$KRAIT" run -c 4 > again.out 2>&1; check $? "a further run succeeds"
grep -q "Nothing to be done" again.out; check $? "... and has nothing to do"

echo "1..$n"
