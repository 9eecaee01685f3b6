#!/bin/sh
# t0490-state-damage.sh - a damaged .krait/state.db: plan and status still
# work (warning naming the file, no provenance); run and log fail naming the
# file and `krait state check|repair`; check reports it; repair moves it
# aside to state.db.corrupt-* and the next run works.
set -u
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
cat > Snakefile <<'SNAKE'
rule all:
    input: "b.txt"
rule a:
    output: "a.txt"
    shell: "echo a > {output}"
rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "cat {input} > {output}"
SNAKE
"$KRAIT" run -q > run0.out 2>&1; check $? "a first run"
printf 'garbage garbage garbage garbage garbage' |
    dd of=.krait/state.db bs=1 seek=0 conv=notrunc 2>/dev/null
rm -f .krait/state.db-wal .krait/state.db-shm
"$KRAIT" plan > plan.out 2> plan.err; check $? "plan works with a damaged database"
grep -q "state.db.*krait state repair" plan.err; check $? "... warning names the file and the way out"
grep -q "Nothing to be done" plan.out; check $? "... and plans by mtime"
"$KRAIT" status > status.out 2> status.err; check $? "status works with a damaged database"
grep -q "state.db" status.err; check $? "... warning names the file"
"$KRAIT" run > run1.out 2>&1; [ $? -ne 0 ]; check $? "run refuses a damaged database"
grep -q "\.krait/state.db.*krait state check.*krait state repair" run1.out; check $? "... naming the file and the way out"
"$KRAIT" state check > check.out 2>&1; [ $? -ne 0 ]; check $? "state check fails on it"
"$KRAIT" state repair > repair.out 2>&1; check $? "state repair succeeds"
ls .krait/state.db.corrupt-* > /dev/null 2>&1; check $? "... the damaged file is kept aside"
grep -q "re-checked by mtime" repair.out; check $? "... and it says outputs are re-checked by mtime"
"$KRAIT" state check > check2.out 2>&1; check $? "state check passes afterwards"
"$KRAIT" run > run2.out 2>&1; check $? "run works afterwards"
"$KRAIT" state repair > repair2.out 2>&1; [ $? -ne 0 ]; check $? "repair refuses a sound database without --force"
echo "1..$n"
