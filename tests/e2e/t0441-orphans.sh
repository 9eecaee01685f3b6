#!/bin/sh
# t0441-orphans.sh - jobs of a SIGKILLed krait are found and stopped by the
# next run before it starts them again, also jobs that clear their
# environment (env -i), move to their own session (setsid) or both: no job
# runs twice at the same time and no output gets two writers. Each job holds
# an flock on locks/NAME while it writes its output, ten dots 0.3 s apart;
# a second execution that finds the lock held writes dup.log.
set -u
command -v flock > /dev/null && command -v setsid > /dev/null ||
    { echo "1..0 # SKIP needs the flock and setsid commands"; exit 0; }
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
mkdir locks
body='exec 9>>locks/$0; flock -n 9 || echo dup $0 >> dup.log; : > started.$0; for k in 1 2 3 4 5 6 7 8 9 10; do printf . >> out/$0.txt; sleep 0.3; done'
cat > Snakefile <<SNAKE
rule all:
    input: "out/plain.txt", "out/envi.txt", "out/setsid.txt", "out/both.txt"
rule plain:
    output: "out/plain.txt"
    shell: "sh -c '$body' plain"
rule envi:
    output: "out/envi.txt"
    shell: "env -i PATH=/usr/bin:/bin sh -c '$body' envi"
rule setsid:
    output: "out/setsid.txt"
    shell: "setsid -w sh -c '$body' setsid"
rule both:
    output: "out/both.txt"
    shell: "setsid -w env -i PATH=/usr/bin:/bin sh -c '$body' both"
SNAKE

"$KRAIT" run -c 4 -q > run1.out 2>&1 &
pid=$!
# wait (bounded, not timed) until all four jobs have started writing
k=0
while [ "$(ls started.* 2>/dev/null | wc -l)" -lt 4 ] && [ $k -lt 600 ]; do
    sleep 0.05; k=$((k + 1))
done
same "$(ls started.* 2>/dev/null | wc -l)" "4" "all four jobs started"
kill -9 $pid; wait $pid 2>/dev/null
rm -f started.*
"$KRAIT" run -c 4 > run2.out 2>&1; rc=$?
check $rc "the next run, started at once, succeeds"
same "$(cat dup.log 2>/dev/null)" "" "no job ran twice at the same time"
for j in plain envi setsid both; do
    same "$(cat out/$j.txt)" ".........." "out/$j.txt has one writer (ten dots)"
done
for j in plain envi setsid both; do
    grep -q "^krait: killed [0-9]* process.* of job $j " run2.out
    check $? "the run says it killed what was left of job $j"
done
sed 's/^/#   /' run2.out

# a journaled pid that now belongs to another process (another start time)
# is never touched
if command -v sqlite3 > /dev/null; then
    sleep 60 &
    other=$!
    sqlite3 .krait/state.db "insert into attempts(run_id, job_id, rule, name, attempt,
        executor, host, state, start, pid, pgid, proc_start) values((select max(id) from runs),
        0, 'plain', 'plain', 1, 'local', 'h', 1, 0, $other, $other, 1)"
    "$KRAIT" run -c 4 -F out/plain.txt > run3.out 2>&1; check $? "a run after a forged journal entry succeeds"
    kill -0 $other 2>/dev/null; check $? "a process with the journaled pid but another start time is left alone"
    ! grep -q "killed" run3.out; check $? "... and nothing is said to be killed"
    kill $other; wait $other 2>/dev/null
else
    check 0 "# SKIP no sqlite3 to forge a journal entry"
fi
echo "1..$n"
