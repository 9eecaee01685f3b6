#!/bin/sh
# kill_bench.sh - the kill test (tests/e2e/t0440-kill.sh) with many more
# rounds, not part of `make check`. Usage:
#
#     bench/kill_bench.sh KRAIT [ROUNDS]        (ROUNDS defaults to 100)
#
# Runs workflows of 200 slowly-writing jobs against the given krait binary,
# SIGKILLing krait at random moments, 10 kills per workflow, until ROUNDS
# kills were done; each workflow is then run to the end. What happened is
# judged from krait's journal (.krait/state.db) after every kill and from
# per-job locks (tests/e2e/kill-lib.sh says exactly how). Prints the counts
# of completed-job reruns, concurrent duplicate executions of one job and
# partial outputs accepted (each must be 0), and how often the old test's
# ordering inference would have reported a rerun that the journal shows was
# not one. Exit status 0 when there is no violation. Needs sqlite3 and flock.
set -u
[ $# -ge 1 ] || { echo "usage: $0 KRAIT [ROUNDS]" >&2; exit 2; }
KRAIT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROUNDS=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/e2e/kill-lib.sh"

reruns=0 dups=0 partial=0 incomplete=0 alarms=0 falsealarms=0 done_rounds=0 wf=0 fails=0
while [ $done_rounds -lt "$ROUNDS" ]; do
    r=$((ROUNDS - done_rounds)); [ $r -gt 10 ] && r=10
    dir=$(mktemp -d)
    ( cd "$dir" && kill_workflow $r 2> details.txt &&
      echo "$KW_KILLED $KW_FINAL $KW_RERUNS $KW_DUPS $KW_PARTIAL $KW_COMPLETE $KW_ORDER_ALARMS $KW_ORDER_FALSE" > result.txt )
    # no result (krait missing or replaced meanwhile): counts as a failed workflow
    [ -s "$dir/result.txt" ] || echo "0 1 0 0 0 0 0 0" > "$dir/result.txt"
    set -- $(cat "$dir/result.txt")
    wf=$((wf + 1))
    done_rounds=$((done_rounds + r))
    [ "$2" -eq 0 ] || fails=$((fails + 1))
    reruns=$((reruns + $3)) dups=$((dups + $4)) partial=$((partial + $5))
    incomplete=$((incomplete + 200 - $6)) alarms=$((alarms + $7)) falsealarms=$((falsealarms + $8))
    printf 'workflow %d (%s): %d of %d kills landed, final rc %d, reruns %d, duplicates %d, partial %d\n' \
        $wf "$dir" "$1" $r "$2" "$3" "$4" "$5"
    if [ "$3$4$5" = "000" ] && [ "$2" -eq 0 ]; then rm -rf "$dir"; else sed 's/^/    /' "$dir/details.txt"; fi
done
echo "kill rounds:                         $done_rounds ($wf workflows of 200 jobs)"
echo "completed-job reruns:                $reruns"
echo "concurrent duplicate executions:     $dups"
echo "partial outputs accepted:            $partial"
echo "final runs failed:                   $fails"
echo "old ordering inference: $alarms alarms, $falsealarms of them not a committed job (false)"
[ $((reruns + dups + partial + fails)) -eq 0 ]
