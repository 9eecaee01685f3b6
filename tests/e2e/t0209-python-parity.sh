#!/bin/sh
# t0209-python-parity.sh - the plain-Python part of the rule language means
# what it means in Python: every tests/lang/ok/NAME.smk whose first line
# starts with "# python3-parity" has its lines before the first `rule` run by
# python3 (in a fresh copy of the corpus directory) and what python3 prints
# on stdout must equal what krait printed, NAME.stderr (t0200-lint.sh checks
# that krait prints exactly that file). Skips when python3 is missing.
set -u
: "${KR_SRCDIR:?}"
src="$KR_SRCDIR/tests/lang/ok"
if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 not found"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/." "$tmp/"
cd "$tmp" || exit 1
files=$(grep -l '^# python3-parity' *.smk | sort)
n=$(printf '%s\n' $files | grep -c .)
echo "1..$n"
i=0
for f in $files; do
    base=${f%.smk}
    i=$((i + 1))
    sed '/^rule /,$d' "$f" >"$tmp/.py"
    python3 "$tmp/.py" >"$tmp/.out" 2>"$tmp/.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$tmp/.out" "$base.stderr"; then
        echo "ok $i - python3 prints what krait prints for $f"
    else
        echo "not ok $i - python3 and krait differ on $f (python3 exit $rc)"
        diff -u "$base.stderr" "$tmp/.out" | head -20 | sed 's/^/# /'
        sed 's/^/# /' "$tmp/.err" | head -10
    fi
done
