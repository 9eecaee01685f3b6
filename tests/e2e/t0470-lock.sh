#!/bin/sh
# t0470-lock.sh - one writer per workflow directory: `krait run` refuses to
# start while another live krait holds the lock (naming it), takes over a
# lock whose holder died, `krait run --unlock` removes a lock, and of two
# `krait run` started at the same instant exactly one runs, every round.
# The lock holder is tests/unit/state_fixture (it takes the lock through the
# state API and waits).
set -u
FIX="$KR_BUILDDIR/tests/unit/state_fixture"
cd "$(mktemp -d)" || exit 1
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP krait run is not registered yet"
    exit 0
fi
. "$KR_SRCDIR/tests/e2e/tap.sh"
# start a lock holder in the background; sets $holder to its pid
hold() {
    rm -f hold.out
    "$FIX" . hold > hold.out 2>&1 &
    holder=$!
    i=0
    while [ "$(cat hold.out 2>/dev/null)" != locked ] && [ $i -lt 200 ]; do
        sleep 0.05; i=$((i + 1))
    done
}

cat > Snakefile <<'SNAKE'
rule all:
    input: "out.txt"

rule make:
    output: "out.txt"
    shell: "sleep 0.5; echo made > {output}"
SNAKE

hold
same "$(cat hold.out)" "locked" "a live krait holds the lock"
$KRAIT run -c1 > run.out 2> run.err; rc=$?
same "$rc" "1" "krait run refuses to start"
grep -q "is locked by krait pid $holder on host $(hostname) since " run.err
check $? "the message names the holder's pid and host"
grep -q 'if it is dead run `krait run --unlock`' run.err; check $? "... and says how to unlock"
[ ! -e out.txt ]; check $? "no job ran"

kill -9 "$holder"; wait "$holder" 2>/dev/null
$KRAIT run -c1 -q > run.out 2> run.err; rc=$?
same "$rc:$(cat out.txt 2>/dev/null)" "0:made" "the lock of a killed krait clears itself: the run goes ahead"

hold
out=$($KRAIT run --unlock 2>&1); rc=$?
same "$rc:$out" "0:Unlocked the working directory." "krait run --unlock"
rm -f out.txt
$KRAIT run -c1 -q > run.out 2> run.err; rc=$?
same "$rc:$(cat out.txt 2>/dev/null)" "0:made" "after --unlock a run can start"
kill -9 "$holder"; wait "$holder" 2>/dev/null

# two krait run at the same instant, several rounds: exactly one runs
good=0
rounds=5
r=0
while [ $r -lt $rounds ]; do
    rm -f out.txt go
    ( while [ ! -e go ]; do :; done; $KRAIT run -c1 -q > a.out 2> a.err; echo $? > a.rc ) &
    pa=$!
    ( while [ ! -e go ]; do :; done; $KRAIT run -c1 -q > b.out 2> b.err; echo $? > b.rc ) &
    pb=$!
    : > go
    wait $pa $pb
    res="$(cat a.rc) $(cat b.rc)"
    locked=$(cat a.err b.err | grep -c "is locked by krait pid")
    if { [ "$res" = "0 1" ] || [ "$res" = "1 0" ]; } && [ "$locked" = 1 ] && [ "$(cat out.txt)" = made ]; then
        good=$((good + 1))
    else
        echo "# round $r: exit codes $res; errors:"; sed 's/^/#   /' a.err b.err
    fi
    r=$((r + 1))
done
same "$good" "$rounds" "two krait run started together: exactly one runs, the other is refused"
echo "1..$n"
