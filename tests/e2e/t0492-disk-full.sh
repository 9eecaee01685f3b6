#!/bin/sh
# t0492-disk-full.sh - a job that fills its file system: its log is empty
# (the log could not be written either), yet the failure says "no space left
# on device", the run ends with that cause on one line, the partial output
# is removed and nothing is recorded as done. The workflow lives on a small
# tmpfs mounted in a private mount namespace (unshare -m, as root); where
# that is impossible the test skips and says why.
# Second part: the job fills the disk before krait has journaled its process
# (krait held at that point under gdb, a race the first part can lose): krait
# warns, lets the job end, and records the failure and its cause as before.
set -u
top=$(mktemp -d) || exit 1
echo "# in $top"
if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null ||
   ! unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$top'" 2> /dev/null; then
    echo "1..0 # SKIP cannot mount a small tmpfs here (needs root and unshare -m)"; exit 0
fi
cat > "$top/inner.sh" <<'INNER'
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
mkdir small && mount -t tmpfs -o size=600k tmpfs small || { echo "not ok 1 - mount"; exit 1; }
cd small
cat > Snakefile <<'SNAKE'
rule all:
    input: "big.txt", "c.txt"
rule big:
    output: "big.txt"
    shell: "head -c 2000000 /dev/zero > {output}"
rule c:
    output: "c.txt"
    shell: "echo c > {output}"
SNAKE
cp Snakefile ../Snakefile.keep
"$KRAIT" run -j1 > run.out 2>&1; [ $? -ne 0 ]; check $? "the run fails"
sed 's/^/#   /' run.out
grep -q "log .* is empty" run.out; check $? "... the job's log is empty (it could not be written)"
grep -q "^rule big failed: exit code 1: no space left on device (the file system of big.txt is full)" run.out
check $? "... the job's failure says no space left on device"
[ "$(grep -c 'no space left on device' run.out)" -ge 2 ] &&
    tail -n 2 run.out | head -n 1 | grep -q "rule big: exit code 1: no space left on device.*(log: "
check $? "... the run ends with that cause on one line"
[ ! -e big.txt ]; check $? "... the partial output is removed"
"$KRAIT" log --run 1 > log.out 2>&1; check $? "log reads the run"
grep -q "failed.*1 failed" log.out && grep -q "no space left on device" log.out
check $? "... the attempt is recorded failed, with the cause"
"$KRAIT" status > status.out 2>&1
awk -F"\t" '$1 == "big.txt" { print $6 }' status.out | grep -qx missing; check $? "... and status shows big.txt missing, not made"
"$KRAIT" plan -q > plan.out 2>&1; check $? "plan works afterwards"
"$KRAIT" plan 2>&1 | grep -q "big.txt"; check $? "... and would make big.txt again"
cd .. && umount small

# krait stopped under gdb after the spawn, before the journal write, while
# the job fills the disk
if ! command -v gdb > /dev/null; then
    for i in 1 2 3 4 5 6; do
        n=$((n + 1)); echo "ok $n # SKIP gdb is not installed (install-deps.sh --tests installs it)"
    done
else
    mkdir small2 && mount -t tmpfs -o size=600k tmpfs small2 || { echo "not ok 1 - mount"; exit 1; }
    cp Snakefile.keep small2/Snakefile
    cd small2
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" gdb -q -batch -ex 'set breakpoint pending on' \
        -ex 'tbreak kr_state_job_set_spawned' -ex run \
        -ex 'shell i=0; while [ $(df -P . | awk "NR==2 {print \$4}") -gt 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done' \
        -ex continue -ex 'info inferiors' --args "$KRAIT" run -j1 > gdb.out 2>&1
    sed 's/^/#   /' gdb.out
    grep -q "^krait: warning: rule big: state database .*: recording an external job id: database or disk is full; the job runs" gdb.out
    check $? "a full disk before the job's process is journaled: a warning, the job goes on"
    grep -q "^rule big failed: exit code 1: no space left on device" gdb.out
    check $? "... its failure is the cause shown"
    grep -q "exited with code 01" gdb.out &&
        grep -B1 "^krait: 2 jobs were not run" gdb.out | grep -q "rule big: exit code 1: no space left on device.*(log: "
    check $? "... the run ends with that cause (exit 1), not with the database error"
    [ ! -e big.txt ]; check $? "... the partial output is removed"
    "$KRAIT" log --run 1 > log.out 2>&1
    grep -q "failed.*1 failed" log.out && grep -q "no space left on device" log.out &&
        grep -q "local  *pid:[0-9]" log.out
    check $? "... the attempt is recorded failed, with the cause and its process id"
    "$KRAIT" plan 2>&1 | grep -q "big.txt"; check $? "... and a new run would make big.txt again"
    cd .. && umount small2
fi
echo "1..$n"
INNER
cd "$top" && exec unshare -m sh inner.sh
