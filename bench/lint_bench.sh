#!/bin/sh
# lint_bench.sh - parse and evaluation speed of the rule language, and how
# it scales: generates Snakefiles of 1,000 and 10,000 rules
# (bench/gen_rules.py, 9 directives each), times `krait parse` and `krait
# lint` on each (best of 3), and prints the time per rule and the ratio of
# the per-rule times at 10k and 1k. A ratio near 1 is linear; a ratio near
# 10 means something went quadratic in the number of rules.
#     bench/lint_bench.sh KRAIT
set -eu
[ $# -ge 1 ] || { echo "usage: $0 KRAIT" >&2; exit 2; }
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
echo "x: 1" > config.yaml
best() {    # best CMD...: the best wall time of 3 runs, in seconds (a failing command counts: check it)
    b=
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" > /dev/null 2> err.txt || { echo "failed: $* ($(head -n 1 err.txt))" >&2; exit 1; }
        e=$(date +%s.%N)
        b=$(echo "$s $e ${b:-1e9}" | awk '{ d = $2 - $1; print (d < $3 ? d : $3) }')
    done
    echo "$b"
}
printf '%-8s %10s %10s %14s\n' rules parse_s lint_s lint_us/rule
for n in 1000 10000; do
    python3 "$here/gen_rules.py" "$n" > r$n.smk
    p=$(best "$K" parse r$n.smk)
    l=$(best "$K" lint -s r$n.smk)
    eval "l$n=$l"
    printf '%-8s %10.3f %10.3f %14.1f\n' "$n" "$p" "$l" "$(echo "$l $n" | awk '{ print $1 / $2 * 1e6 }')"
done
echo "$l1000 $l10000" | awk '{ printf "per-rule lint time, 10k over 1k: %.2f (1 = linear)\n", ($2 / 10000) / ($1 / 1000) }'
