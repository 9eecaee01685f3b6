#!/bin/sh
# t0201-eval-errors.sh - evaluation errors: each tests/lang/evalbad/NAME.smk
# must make `krait lint -s NAME.smk` exit 1 with exactly NAME.err on stderr
# (`FILE:LINE:COL: error: MESSAGE`, the source line, a caret) and nothing on
# stdout. Runs in a fresh copy of the corpus directory. UPDATE_GOLDEN=1
# rewrites the .err files.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
src="$KR_SRCDIR/tests/lang/evalbad"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/." "$tmp/"
cd "$tmp" || exit 1
files=$(ls *.smk | sort)
n=$(printf '%s\n' $files | wc -l)
echo "1..$n"
i=0
for f in $files; do
    base=${f%.smk}
    i=$((i + 1))
    $RUN lint -s "$f" >"$tmp/.out" 2>"$tmp/.err"
    rc=$?
    [ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$tmp/.err" "$src/$base.err"
    if [ $rc -eq 1 ] && [ ! -s "$tmp/.out" ] && cmp -s "$tmp/.err" "$base.err"; then
        echo "ok $i - $f: $(head -1 "$base.err" | cut -c1-100)"
    else
        echo "not ok $i - $f (exit $rc)"
        diff -u "$base.err" "$tmp/.err" | head -20 | sed 's/^/# /'
    fi
done
