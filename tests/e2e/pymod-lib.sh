# pymod-lib.sh - sourced by the tests whose rule file is also a Python
# script (tests/pymod/NAME.py with its expected output NAME.out).
# pymod_same NAME N: TAP points N and N+1 - what `krait lint` prints while
# loading NAME.py equals NAME.out, and (when python3 is installed) so does
# what python3 prints, so the golden file cannot drift from Python. Runs in
# the current directory, which holds NAME.py and NAME.out; $RUN is krait
# (under valgrind where the build says so).
pymod_same() {
    $RUN lint -s "$1.py" 2>.kout >/dev/null
    rc=$?
    if [ $rc -eq 0 ] && cmp -s .kout "$1.out"; then echo "ok $2 - krait prints $1.out"; else
        echo "not ok $2 - krait output differs (exit $rc)"
        diff -u "$1.out" .kout | head -30 | sed 's/^/# /'
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        echo "ok $(($2 + 1)) # SKIP python3 is not installed"
        return
    fi
    python3 "$1.py" >.pout 2>&1
    if cmp -s .pout "$1.out"; then echo "ok $(($2 + 1)) - python3 prints $1.out"; else
        echo "not ok $(($2 + 1)) - python3 output differs from $1.out"
        diff -u "$1.out" .pout | head -30 | sed 's/^/# /'
    fi
}
