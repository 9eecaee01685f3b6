#!/bin/sh
# t0450-log.sh - `krait log`: the runs recorded in the state database, most
# recent first; --run ID with the job attempts and their transitions; -n,
# --json, -d. The history is written through the state API by
# tests/unit/state_fixture (no jobs run), then read back by krait.
set -u
FIX="$KR_BUILDDIR/tests/unit/state_fixture"
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"

out=$($KRAIT log 2>&1); rc=$?
same "$rc:$out" "0:no runs recorded: nothing has run here yet" "log in a fresh directory"
[ ! -e .krait ]; check $? "... creates nothing"
same "$($KRAIT log --json)" "[]" "log --json in a fresh directory"

r1=$($FIX . run krait run -j 2 all)
$FIX . job "$r1" map map.sample=A done 0 mapped/A.bam,mapped/A.bai pid:101 .krait/log/a.log >/dev/null
$FIX . job "$r1" map map.sample=B failed 3 mapped/B.bam pid:102 >/dev/null
$FIX . end "$r1" failed 1 1
r2=$($FIX . run krait run)
$FIX . end "$r2" ok 0 0
r3=$($FIX . run krait run -k)     # never ended: its process is gone
same "$r1 $r2 $r3" "1 2 3" "fixture recorded three runs"

$KRAIT log > log.out; rc=$?
check $rc "log exits 0"
same "$(head -n 1 log.out)" \
     "RUN   START                 DURATION  STATUS       DONE FAILED  COMMAND" "header"
same "$(awk 'NR > 1 { print $1 }' log.out | tr '\n' ' ')" "3 2 1 " "most recent first"
same "$(awk 'NR == 2 { print $4, $5, $6, $7, $8, $9, $10 }' log.out)" "- killed 0 0 krait run -k" \
     "a run whose krait died shows as killed"
same "$(awk 'NR == 4 { print $5, $6, $7, $8, $9, $10, $11, $12 }' log.out)" \
     "failed 1 1 krait run -j 2 all" "the failed run: status, jobs done/failed, command"
awk 'NR == 4 { print $2, $3, $4 }' log.out | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} 0:00:0[0-9]$'
check $? "start date, time and duration formats"

same "$($KRAIT log -n 1 | awk 'NR > 1 { print $1 }')" "3" "-n 1 shows only the latest run"

$KRAIT log --run 1 > run.out; rc=$?
check $rc "log --run 1 exits 0"
same "$(head -n 1 run.out)" "run 1: krait run -j 2 all" "run header"
grep -Eq '^  started [0-9-]+ [0-9:]+, ended [0-9-]+ [0-9:]+ \(0:00:0[0-9]\), failed: 1 jobs done, 1 failed$' run.out
check $? "run summary line"
grep -Eq '^1 +map\.sample=A +1 +done +0 +local +pid:101 +0:00:0[0-9]$' run.out
check $? "the done attempt"
grep -Eq '^2 +map\.sample=B +1 +failed +3 +local +pid:102 +0:00:0[0-9]$' run.out
check $? "the failed attempt"
same "$(grep -c -E '^        submitted [0-9:]{8} -> running [0-9:]{8} -> (done|failed) [0-9:]{8}$' run.out)" "2" \
     "transitions of both attempts"
grep -q '^        exit code 3$' run.out; check $? "the failure detail"
grep -q '^        log: .krait/log/a.log$' run.out; check $? "the job log"

same "$($KRAIT log --run 1 --json | jq -r '[.id, .status, (.attempts | length), .attempts[0].rule, (.attempts[0].outputs | join(",")), .attempts[1].state, .attempts[1].exit_code, (.attempts[1].transitions | map(.state) | join(">"))] | join(" ")')" \
     "1 failed 2 map mapped/A.bam,mapped/A.bai failed 3 submitted>running>failed" "log --run --json"
same "$($KRAIT log --json | jq -r '[length, .[0].status, .[1].status, .[2].jobs_done, .[2].jobs_failed, .[2].command] | join(" ")')" \
     "3 killed ok 1 1 krait run -j 2 all" "log --json"

mkdir sub && cd sub || exit 1
same "$($KRAIT log -d .. -n 0 | wc -l | tr -d ' ')" "4" "-d DIR reads another directory's history"
cd .. || exit 1

err=$($KRAIT log --run 42 2>&1); rc=$?
same "$rc:$err" "1:krait: error: no run 42 in the state database" "an unknown run is an error"
$KRAIT log -n x >/dev/null 2>&1; same "$?" "2" "a bad -n is a usage error"
$KRAIT log --bogus >/dev/null 2>&1; same "$?" "2" "an unknown option is a usage error"
echo "1..$n"
