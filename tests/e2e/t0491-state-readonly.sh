#!/bin/sh
# t0491-state-readonly.sh - a .krait/ the user cannot write (a shared
# workflow directory, a read-only mount): plan, status, log and explain
# still work from the state database, read read-only, and say so once; run
# refuses, naming the file. As root the read-only user is nobody (setpriv),
# since root writes anywhere.
set -u
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    if ! command -v setpriv > /dev/null; then
        echo "1..0 # SKIP running as root without setpriv: cannot make .krait unwritable"; exit 0
    fi
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
chmod 755 .
cat > Snakefile <<'SNAKE'
rule all:
    input: "b.txt"
rule a:
    output: "a.txt"
    shell: "echo a > {output}"
rule b:
    input: "a.txt"
    output: "b.txt"
    params: p=1
    shell: "cat {input} > {output}"
SNAKE
"$KRAIT" run -q > run0.out 2>&1; check $? "a first run"
chmod -R a-w .krait
chmod a+rx "$(dirname "$(pwd)")" 2>/dev/null
[ "$(id -u)" = 0 ] && chmod -R a+rX .
as_user touch .krait/probe 2> /dev/null; [ $? -ne 0 ]; check $? "the test user cannot write .krait"

as_user "$KRAIT" plan > plan.out 2> plan.err; check $? "plan works"
grep -q "Nothing to be done" plan.out; check $? "... and uses the recorded provenance (nothing to do)"
grep -q "state.db.*read-only" plan.err; check $? "... saying it reads the database read-only"
as_user "$KRAIT" status > status.out 2> status.err; check $? "status works"
grep -q "^b.txt.*ok" status.out; check $? "... and shows b.txt recorded"
as_user "$KRAIT" log > log.out 2> log.err; check $? "log works"
grep -q "krait run -q" log.out; check $? "... and lists the first run"
grep -q "read-only" log.err; check $? "... saying it reads the database read-only"
as_user "$KRAIT" explain b.txt > explain.out 2> explain.err; check $? "explain works"
grep -q "up to date" explain.out; check $? "... b.txt is up to date"

# provenance is really read: a changed param is seen
sed -i 's/p=1/p=2/' Snakefile
as_user "$KRAIT" plan > plan2.out 2> /dev/null; check $? "plan after a params change"
grep -q "params" plan2.out; check $? "... names the params change (provenance was read)"

as_user "$KRAIT" run > run1.out 2>&1; [ $? -ne 0 ]; check $? "run refuses an unwritable database"
grep -q "state.db" run1.out; check $? "... naming the file"
[ "$(cat b.txt)" = a ]; check $? "... and b.txt is untouched"
chmod -R u+w .krait
echo "1..$n"
