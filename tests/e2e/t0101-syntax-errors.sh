#!/bin/sh
# t0101-syntax-errors.sh - every malformed rule file in tests/lang/bad makes
# `krait parse` exit with status 1 and print exactly its .err file: the
# "FILE:LINE:COL: error: MESSAGE" line, the source line and the caret line.
: "${KRAIT:?KRAIT must point at the krait binary}" "${KR_SRCDIR:?}"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1

set -- "$KR_SRCDIR"/tests/lang/bad/*.smk
echo "1..$#"
n=0
for smk in "$@"; do
    n=$((n + 1))
    name=$(basename "$smk" .smk)
    cp "$smk" "$name.smk"
    ${KR_VALGRIND:-} "$KRAIT" parse "$name.smk" >out 2>err
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "not ok $n - $name: exit status $rc, want 1"
        sed 's/^/# /' err
    elif [ -s out ]; then
        echo "not ok $n - $name: unexpected output on stdout"
    elif ! diff -u "${smk%.smk}.err" err >diff; then
        echo "not ok $n - $name: error differs from $name.err"
        sed 's/^/# /' diff
    else
        echo "ok $n - $name"
    fi
done
