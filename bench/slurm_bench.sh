#!/usr/bin/env bash
# slurm_bench.sh - N trivial jobs of one rule (default 500) through the real
# test SLURM with `krait run --executor slurm`, once with job arrays and once
# without (--no-slurm-array). For each: the wall time, the numbers of sbatch,
# squeue, sacct, scontrol and scancel calls the SLURM backend made
# (KRAIT_SLURM_STATS), status queries per second of wall time and the
# smallest gap between two queries (the backend's poll interval starts at
# 1 s, grows to the runner's poll interval when nothing changes and drops
# back to 1 s when a job changes state: one query per interval means
# queries/s <= 1 and min_gap_s >= 1), and jobs per second. Targets: at most one status query per poll interval; fewer than 10
# sbatch calls for 500 ready jobs of one rule with arrays.
# Not part of `make check`.
#
#   bench/slurm_bench.sh [--n 500] [--jobs 500] [--krait build/krait] [--only array|noarray]
# Needs root and the SLURM packages: starts SLURM with tests/slurm/slurm-up.sh --fast.
set -euo pipefail

N=500
JOBS=500
ONLY=""
KRAIT_BIN=${KRAIT:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --n) N=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --krait) KRAIT_BIN=$2; shift ;;
        --only) ONLY=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "slurm_bench: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$KRAIT_BIN" ]; then
    for c in "$top/build/krait" "$top/krait" /tmp/build-*/krait; do
        [ -x "$c" ] && { KRAIT_BIN=$c; break; }
    done
fi
[ -n "$KRAIT_BIN" ] && [ -x "$KRAIT_BIN" ] || { echo "slurm_bench: no krait binary (use --krait PATH)" >&2; exit 1; }
KRAIT_BIN=$(cd "$(dirname "$KRAIT_BIN")" && pwd)/$(basename "$KRAIT_BIN")
flock /tmp/krait-slurm-up.lock "$top/tests/slurm/slurm-up.sh" --fast >/dev/null

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
stat_of() { sed -n "s/^$1 //p" "$2"; }

printf '%-8s %6s %9s %7s %7s %6s %9s %8s %10s %10s %8s\n' mode jobs wall_s sbatch squeue sacct scontrol scancel queries/s min_gap_s jobs/s
for mode in array noarray; do
    [ -z "$ONLY" ] || [ "$ONLY" = "$mode" ] || continue
    d="$T/$mode"
    mkdir -p "$d"
    cd "$d"
    cat > Snakefile <<SNAKE
rule all:
    input: expand("out/{i}.txt", i=range($N))
rule one:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
    flag=--slurm-array
    [ "$mode" = array ] || flag=--no-slurm-array
    t0=${EPOCHREALTIME/./}
    KRAIT_SLURM_STATS=$d/stats "$KRAIT_BIN" run -q -j "$JOBS" --executor slurm $flag \
        --latency-wait 30 > run.out 2>&1 || { echo "slurm_bench: krait run failed ($mode):" >&2; tail -n 20 run.out >&2; exit 1; }
    t1=${EPOCHREALTIME/./}
    made=$(ls out | wc -l)
    [ "$made" -eq "$N" ] || { echo "slurm_bench: $mode: $made of $N outputs" >&2; exit 1; }
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
    s=$d/stats
    perint=$(awk -v q="$(stat_of status_queries "$s")" -v w="$wall" 'BEGIN { printf "%.2f", q / w }')
    printf '%-8s %6d %9s %7s %7s %6s %9s %8s %10s %10s %8s\n' "$mode" "$N" "$wall" \
        "$(stat_of sbatch "$s")" "$(stat_of squeue "$s")" "$(stat_of sacct "$s")" \
        "$(stat_of scontrol "$s")" "$(stat_of scancel "$s")" "$perint" \
        "$(stat_of min_query_gap_s "$s")" "$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%.1f", n / w }')"
    cd "$T"
done
