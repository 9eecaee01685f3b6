#!/usr/bin/env bash
# container_bench.sh - the per-job cost of running krait jobs in a container:
# N trivial independent jobs (echo into a file) run by `krait run` on the
# local executor, once on the host and once with `container:` under Podman,
# tools taking turns in the same run, median of --repeat runs. Prints ms per
# job for each, the difference (the container overhead per job) and, for
# reference, a bare `podman run --rm IMAGE true` without krait.
# Not part of `make check`.
#
#   bench/container_bench.sh [--n 20] [--repeat 3] [--cores 1]
#                            [--krait build/krait] [--image localhost/krait-test:latest]
# Needs Podman and the image from tests/containers/setup-podman.sh.
set -euo pipefail

N=20
REPEAT=3
CORES=1
KRAIT_BIN=${KRAIT:-}
IMAGE=localhost/krait-test:latest
while [ $# -gt 0 ]; do
    case "$1" in
        --n) N=$2; shift ;;
        --repeat) REPEAT=$2; shift ;;
        --cores) CORES=$2; shift ;;
        --krait) KRAIT_BIN=$2; shift ;;
        --image) IMAGE=$2; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "container_bench: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$KRAIT_BIN" ]; then
    for c in "$top/build/krait" "$top/krait" /tmp/build-*/krait; do
        [ -x "$c" ] && { KRAIT_BIN=$c; break; }
    done
fi
[ -n "$KRAIT_BIN" ] && [ -x "$KRAIT_BIN" ] || { echo "container_bench: no krait binary (use --krait PATH)" >&2; exit 1; }
KRAIT_BIN=$(cd "$(dirname "$KRAIT_BIN")" && pwd)/$(basename "$KRAIT_BIN")
command -v podman >/dev/null || { echo "container_bench: podman not installed" >&2; exit 1; }
podman image exists "$IMAGE" || { echo "container_bench: image $IMAGE missing (tests/containers/setup-podman.sh)" >&2; exit 1; }

W=$(mktemp -d /tmp/krait-cbench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# the same workflow twice, with and without container:
write_snakefile() {   # DIR CONTAINER-LINE
    mkdir -p "$1"
    cat > "$1/Snakefile" <<EOF
$2
IDS = range($N)

rule all:
    input: expand("out/{i}.txt", i=IDS)

rule job:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
EOF
}
write_snakefile "$W/host" ""
write_snakefile "$W/container" "container: \"$IMAGE\""

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# run_once DIR -> prints elapsed ms
run_once() {
    local t0 t1
    rm -rf "$1/out" "$1/.krait"
    t0=$(now_ms)
    (cd "$1" && "$KRAIT_BIN" run -q -c "$CORES" --container-runtime podman >"$W/last.log" 2>&1) || {
        echo "container_bench: krait run failed in $1:" >&2; tail -n 20 "$W/last.log" >&2; exit 1; }
    t1=$(now_ms)
    [ "$(ls "$1/out" | wc -l)" -eq "$N" ] || { echo "container_bench: missing outputs in $1" >&2; exit 1; }
    echo $((t1 - t0))
}

raw_podman() {
    local t0 t1 i
    t0=$(now_ms)
    for ((i = 0; i < N; i++)); do
        podman run --rm "$IMAGE" true
    done
    t1=$(now_ms)
    echo $((t1 - t0))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

host=() container=() raw=()
for ((r = 0; r < REPEAT; r++)); do
    host+=("$(run_once "$W/host")")
    container+=("$(run_once "$W/container")")
    raw+=("$(raw_podman)")
done
mh=$(printf '%s\n' "${host[@]}" | median)
mc=$(printf '%s\n' "${container[@]}" | median)
mr=$(printf '%s\n' "${raw[@]}" | median)

echo "container_bench: $N jobs, krait -c $CORES, local executor, $(podman --version), image $IMAGE, median of $REPEAT"
awk -v n="$N" -v h="$mh" -v c="$mc" -v r="$mr" 'BEGIN {
    printf "  host jobs        %8.1f ms/job   (%d ms total)\n", h / n, h
    printf "  container jobs   %8.1f ms/job   (%d ms total)\n", c / n, c
    printf "  overhead         %8.1f ms/job   (container / host = %.1fx)\n", (c - h) / n, (h > 0 ? c / h : 0)
    printf "  bare podman run  %8.1f ms/run   (podman run --rm IMAGE true, no krait)\n", r / n
}'
