#!/usr/bin/env bash
# setup.sh - the README's first command: on a fresh Debian 12 machine (as root)
# install what krait needs, build it, and run the example pipeline
# rules-examples/quickstart end to end on the local executor, checking its result.
#   scripts/setup.sh [--prefix DIR]   (with --prefix, also `make install`)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix=
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift ;;
        *) echo "usage: $0 [--prefix DIR]" >&2; exit 2 ;;
    esac
    shift
done

echo "== installing build dependencies"
"$top/scripts/install-deps.sh"

echo "== building krait in $top/build"
(cd "$top" && ./autogen.sh >/dev/null)
mkdir -p "$top/build"
cd "$top/build"
if [ -n "$prefix" ]; then
    ../configure -q --prefix="$prefix"
else
    ../configure -q
fi
make -j"$(nproc)" >/dev/null
[ -n "$prefix" ] && make install >/dev/null
krait="$top/build/krait"
"$krait" version

echo "== running the example pipeline rules-examples/quickstart"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$top/rules-examples/quickstart/." "$work/"
cd "$work"
"$krait" run -n
"$krait" run -c 2
expected=$(printf 'ALPHA\t4\nBETA\t6\nGAMMA\t1\n')
if [ "$(cat results/summary.tsv)" != "$expected" ]; then
    echo "setup: the example produced an unexpected results/summary.tsv:" >&2
    cat results/summary.tsv >&2
    exit 1
fi
echo "== a second run has nothing to do"
"$krait" run -c 2 2>&1 | tee second-run.txt
grep -q "Nothing to be done" second-run.txt
echo "setup: OK — krait is built at $krait and ran the example pipeline"
