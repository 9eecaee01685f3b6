#!/bin/sh
# t0202-examples.sh - every pipeline in rules-examples/ lints to its reviewed
# listing (tests/examples/NAME.lint.json, compared exactly), and every one
# that needs no container runtime runs end to end with `krait run -c 2`: all
# jobs succeed, and a second run has nothing to do.
# (rules-examples/containers runs in t0600/t0603, which set up Podman.)
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=$(cd "$KR_SRCDIR/rules-examples" && for d in */; do [ -f "$d/Snakefile" ] && echo "${d%/}"; done)
n=0
for name in $names; do
    n=$((n + 1))
    rm -rf "$tmp/w" && cp -R "$KR_SRCDIR/rules-examples/$name" "$tmp/w"
    if (cd "$tmp/w" && $KRAIT lint --json > "$tmp/lint.json" 2> "$tmp/lint.err") &&
        diff -u "$KR_SRCDIR/tests/examples/$name.lint.json" "$tmp/lint.json" > "$tmp/diff"; then
        echo "ok $n - lint --json of rules-examples/$name"
    else
        echo "not ok $n - lint --json of rules-examples/$name"
        sed 's/^/# /' "$tmp/lint.err" "$tmp/diff" | head -40
    fi
    [ "$name" = containers ] && continue
    n=$((n + 1))
    if (cd "$tmp/w" && $KRAIT run -c 2 -q > "$tmp/run.out" 2>&1); then
        echo "ok $n - rules-examples/$name runs end to end"
    else
        echo "not ok $n - rules-examples/$name runs end to end"
        sed 's/^/# /' "$tmp/run.out" | tail -30
    fi
    n=$((n + 1))
    if (cd "$tmp/w" && $KRAIT run -c 2 > "$tmp/again.out" 2>&1) && grep -q "Nothing to be done" "$tmp/again.out"; then
        echo "ok $n - rules-examples/$name: a second run has nothing to do"
    else
        echo "not ok $n - rules-examples/$name: a second run has nothing to do"
        sed 's/^/# /' "$tmp/again.out" | tail -30
    fi
done
echo "1..$n"
