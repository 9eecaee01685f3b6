#!/bin/sh
# t0440-kill.sh - THE KILL TEST. 200 jobs, each writing its output slowly in
# five parts with random pauses. krait is SIGKILLed at random moments, nine
# rounds, then run to the end. Every job must complete with a complete
# output (a partial output of an interrupted job is never accepted), no job
# whose completion krait had committed to its journal (.krait/state.db)
# runs again, and no job runs twice at the same time. What counts as
# committed is read from the journal after each kill, not inferred from the
# order of log lines (tests/e2e/kill-lib.sh; bench/kill_bench.sh runs the
# same with many more rounds).
set -u
command -v sqlite3 > /dev/null && command -v flock > /dev/null ||
    { echo "1..0 # SKIP needs the sqlite3 and flock commands (scripts/install-deps.sh)"; exit 0; }
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/kill-lib.sh"

kill_workflow 9
[ $KW_KILLED -ge 8 ]; check $? "krait was SIGKILLed in at least 8 of 9 rounds ($KW_KILLED)"
check $KW_FINAL "final run completes"
same "$KW_COMPLETE" "200" "all 200 outputs complete"
same "$KW_PARTIAL" "0" "no partial output recorded as done or accepted"
same "$KW_RERUNS" "0" "no job whose completion was committed to the journal ran again"
same "$KW_DUPS" "0" "no job ran twice at the same time"
same "$KW_ENDS" "200" "every job ended at least once"
echo "# $KW_RUNS executions for 200 jobs over $KW_KILLED killed rounds;" \
    "the old ordering inference would have flagged $KW_ORDER_ALARMS, $KW_ORDER_FALSE of them" \
    "not committed"
"$KRAIT" run -c 4 > again.out 2>&1; check $? "a further run succeeds"
grep -q "Nothing to be done" again.out; check $? "... and has nothing to do"

echo "1..$n"
