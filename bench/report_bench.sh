#!/bin/sh
# report_bench.sh - how big and how fast `krait report` is on large runs:
# builds state databases of a finished fan run (split -> N maps -> merge,
# 1 in 100 maps failed, 4 hosts; tests/unit/state_fixture's `fan`, through
# the real state API: no jobs are run) at N = 10,000 and 100,000, then
# times `krait report --no-plan` on each (best of 3) and prints the
# report's size, the time per 1,000 jobs, krait's peak memory (GNU time,
# when installed) and the ratio of per-job times at 100k and 10k (1 =
# linear). The 100k state takes a minute or two to write.
#     bench/report_bench.sh BUILDDIR [N...]
# BUILDDIR holds krait and tests/unit/state_fixture (`make check` or
# `make tests/unit/state_fixture` builds it).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [N...]" >&2; exit 2; }
B=$(cd "$1" && pwd)
shift
K=$B/krait
F=$B/tests/unit/state_fixture
[ -x "$K" ] && [ -x "$F" ] || { echo "$0: need $K and $F (make tests/unit/state_fixture)" >&2; exit 2; }
[ $# -gt 0 ] || set -- 10000 100000
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
GTIME=
[ -x /usr/bin/time ] && GTIME=/usr/bin/time
best() {    # best CMD...: the best wall time of 3 runs, in seconds
    b=
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" > /dev/null 2> "$T/err.txt" || { echo "failed: $* ($(tail -n 1 "$T/err.txt"))" >&2; exit 1; }
        e=$(date +%s.%N)
        b=$(echo "$s $e ${b:-1e9}" | awk '{ d = $2 - $1; print (d < $3 ? d : $3) }')
    done
    echo "$b"
}
printf '%-8s %10s %10s %10s %12s %10s\n' jobs state_s report_s size_KB ms/1k_jobs peak_MB
first_n= first_t=
for n in "$@"; do
    d=$T/fan$n
    mkdir -p "$d"
    s=$(date +%s.%N)
    "$F" "$d" fan "$n" > /dev/null
    e=$(date +%s.%N)
    st=$(echo "$s $e" | awk '{ print $2 - $1 }')
    r=$(best "$K" report --no-plan -d "$d" -o "$d/r.html")
    size=$(wc -c < "$d/r.html")
    peak=-
    if [ -n "$GTIME" ]; then
        "$GTIME" -f %M -o "$T/rss" "$K" report --no-plan -d "$d" -o "$d/r.html" 2> /dev/null
        peak=$(awk '{ printf "%.1f", $1 / 1024 }' "$T/rss")
    fi
    jobs=$((n + 2))
    printf '%-8s %10.1f %10.3f %10.0f %12.2f %10s\n' "$jobs" "$st" "$r" "$(echo "$size" | awk '{ print $1 / 1024 }')" \
        "$(echo "$r $jobs" | awk '{ print $1 / $2 * 1e6 }')" "$peak"
    if [ -z "$first_n" ]; then first_n=$jobs first_t=$r; fi
    last_n=$jobs last_t=$r
done
if [ "$first_n" != "$last_n" ]; then
    echo "$first_t $first_n $last_t $last_n" |
        awk '{ printf "per-job report time, %d over %d jobs: %.2f (1 = linear)\n", $4, $2, ($3 / $4) / ($1 / $2) }'
fi
