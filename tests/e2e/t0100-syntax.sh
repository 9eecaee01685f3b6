#!/bin/sh
# t0100-syntax.sh - every well-formed sample in tests/lang/syntax parses, and
# `krait parse --dump` prints exactly its golden .ast syntax tree.
# Regenerate a golden file (after checking the new tree by eye) with
#   krait parse --dump tests/lang/syntax/NAME.smk > tests/lang/syntax/NAME.ast
: "${KRAIT:?KRAIT must point at the krait binary}" "${KR_SRCDIR:?}"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

set -- "$KR_SRCDIR"/tests/lang/syntax/*.smk
echo "1..$(($# + 1))"
n=0
for smk in "$@"; do
    n=$((n + 1))
    name=$(basename "$smk" .smk)
    cp "$smk" "$name.smk"
    if ! ${KR_VALGRIND:-} "$KRAIT" parse --dump "$name.smk" >out 2>err; then
        echo "not ok $n - $name: parse failed"
        sed 's/^/# /' err
    elif ! diff -u "${smk%.smk}.ast" out >diff; then
        echo "not ok $n - $name: dump differs from $name.ast"
        sed 's/^/# /' diff
    else
        echo "ok $n - $name"
    fi
done
n=$((n + 1))
# an empty file and a comments-only file are valid and dump to nothing
printf '# only a comment\n\n   \n' >empty.smk
if ${KR_VALGRIND:-} "$KRAIT" parse --dump empty.smk >out 2>err && [ ! -s out ] && [ ! -s err ]; then
    echo "ok $n - comments-only file parses to an empty tree"
else
    echo "not ok $n - comments-only file parses to an empty tree"
fi
