#!/bin/sh
# t0301-plan-golden.sh - golden dry-run outputs: for every workflow in
# rules-examples/NAME, `krait plan` in a fresh copy must print exactly
# tests/plan/NAME.txt (stdout and stderr, then "exit N"). UPDATE_GOLDEN=1
# rewrites the golden files.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=$(cd "$KR_SRCDIR/rules-examples" && for d in */; do [ -f "$d/Snakefile" ] && echo "${d%/}"; done)
echo "1..$(printf '%s\n' $names | grep -c .)"
i=0
for name in $names; do
    i=$((i + 1))
    rm -rf "$tmp/w" && cp -R "$KR_SRCDIR/rules-examples/$name" "$tmp/w"
    (cd "$tmp/w" && $RUN plan >"$tmp/out" 2>&1; echo "exit $?" >>"$tmp/out")
    golden="$KR_SRCDIR/tests/plan/$name.txt"
    [ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$tmp/out" "$golden"
    if cmp -s "$golden" "$tmp/out"; then
        echo "ok $i - plan of rules-examples/$name"
    else
        echo "not ok $i - plan of rules-examples/$name"
        diff -u "$golden" "$tmp/out" 2>&1 | head -30 | sed 's/^/# /'
    fi
done
