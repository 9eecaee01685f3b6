#!/usr/bin/env bash
# batch_bench.sh - N trivial jobs (default 1000) in 4 resource shapes (4
# rules of N/4 jobs, different threads/mem_mb) through the fake AWS Batch
# (tests/batch/fake_batch.py: every request SigV4-checked and validated
# against botocore's model) with `krait run --executor aws-batch`, once
# with array jobs and once without (aws-batch-array=0). For each: wall
# time, krait's CPU time (user+sys), the API requests per operation as the
# fake counted them, job definitions registered (target: = distinct shapes
# = 4), status queries (one DescribeJobs round per poll interval) and
# DescribeJobs requests per query (target: <= ceil(jobs in flight / 100)),
# the most ids in one DescribeJobs (<= 100). For scale: one job definition
# per job and one DescribeJobs per job per poll (what Snakemake's AWS Batch
# plugin does) would be N registrations and N describes per poll.
# Not part of `make check`.
#
#   bench/batch_bench.sh [--n 1000] [--jobs 1000] [--krait build/krait] [--only array|noarray]
set -euo pipefail

N=1000
JOBS=1000
ONLY=""
KRAIT_BIN=${KRAIT:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --n) N=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --krait) KRAIT_BIN=$2; shift ;;
        --only) ONLY=$2; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "batch_bench: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$KRAIT_BIN" ] || KRAIT_BIN=$SRC/build/krait
KRAIT_BIN=$(readlink -f "$KRAIT_BIN")
PY=/usr/bin/python3
"$PY" -c 'import botocore' 2>/dev/null || { echo "batch_bench: needs Debian's python3-botocore"; exit 1; }

TMP=$(mktemp -d)
FPID=
trap '[ -n "$FPID" ] && kill $FPID 2>/dev/null; rm -rf "$TMP"' EXIT
export AWS_ACCESS_KEY_ID=AKIAKRAITBENCH000001
export AWS_SECRET_ACCESS_KEY='bench/Secret+Key0123456789abcdefghijklmnop'
export AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_BATCH

stat() {  # ENDPOINT PATH
    "$PY" -c '
import json, sys, urllib.request
v = json.load(urllib.request.urlopen(sys.argv[1] + "/__stats"))
for k in sys.argv[2].split("."):
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$1" "$2"
}

one() {  # MODE (array|noarray)
    local mode=$1 d=$TMP/$1 ep arr
    mkdir -p "$d/wf" "$d/fake"
    FAKE_BATCH_ACCESS_KEY=$AWS_ACCESS_KEY_ID FAKE_BATCH_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
    FAKE_BATCH_STEP=0.01 "$PY" "$SRC/tests/batch/fake_batch.py" --slots 64 \
        --port-file "$d/fake/port" --logs "$d/fake/logs" > "$d/fake/out" 2>&1 &
    FPID=$!
    for _ in $(seq 100); do [ -s "$d/fake/port" ] && break; sleep 0.05; done
    ep=http://127.0.0.1:$(cat "$d/fake/port")
    q=$((N / 4))
    cat > "$d/wf/Snakefile" <<EOF
rule all:
    input: expand("a/{i}", i=range($q)), expand("b/{i}", i=range($q)), expand("c/{i}", i=range($q)), expand("d/{i}", i=range($N - 3 * $q))
rule a:
    output: "a/{i}"
    shell: "echo {wildcards.i} > {output}"
rule b:
    output: "b/{i}"
    threads: 2
    shell: "echo {wildcards.i} > {output}"
rule c:
    output: "c/{i}"
    resources: mem_mb=4096
    shell: "echo {wildcards.i} > {output}"
rule d:
    output: "d/{i}"
    threads: 4
    resources: mem_mb=8192
    shell: "echo {wildcards.i} > {output}"
EOF
    arr=1; [ "$mode" = noarray ] && arr=0
    local t0 t1 cpu
    t0=$(date +%s.%N)
    ( cd "$d/wf" && KRAIT_AWS_BATCH_STATS=$d/stats "$PY" -c '
import os, resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=open("run.out", "w"), stderr=subprocess.STDOUT)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open("cpu", "w").write("%.2f %.2f\n" % (u.ru_utime, u.ru_stime))
sys.exit(rc)' "$KRAIT_BIN" run -q --executor aws-batch --aws-batch-queue krait-test \
        --aws-batch-endpoint-url "$ep" --executor-arg aws-batch-array=$arr \
        --executor-arg aws-batch-poll-min=0.5 --executor-arg aws-batch-poll-max=2 -j "$JOBS" ) ||
        { echo "batch_bench: the $mode run failed:"; tail -5 "$d/wf/run.out"; exit 1; }
    t1=$(date +%s.%N)
    local done
    done=$(find "$d/wf/a" "$d/wf/b" "$d/wf/c" "$d/wf/d" -type f | wc -l)
    read -r cu cs < "$d/wf/cpu"
    sq=$(awk '$1=="status_queries"{print $2}' "$d/stats")
    dj=$(stat "$ep" requests.DescribeJobs)
    printf '%-8s jobs %d/%d  wall %6.1f s  krait cpu %.2f s (user %.2f + sys %.2f)\n' "$mode" "$done" "$N" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$cu + $cs" | bc)" "$cu" "$cs"
    printf '         job definitions registered %s (distinct shapes: 4), DescribeJobDefinitions %s\n' \
        "$(stat "$ep" job_definitions_registered)" "$(stat "$ep" requests.DescribeJobDefinitions)"
    printf '         SubmitJob %s (array jobs %s)  DescribeJobs %s in %s status queries (%.2f per query; ceil(%d/100) = %d)  max ids per DescribeJobs %s\n' \
        "$(stat "$ep" requests.SubmitJob)" "$(stat "$ep" array_jobs)" "$dj" "$sq" \
        "$(echo "scale=2; $dj / $sq" | bc)" "$JOBS" $(((JOBS + 99) / 100)) "$(stat "$ep" describe_jobs_max_ids)"
    printf '         total API requests %s; one definition + one describe per job per poll would be %d registrations and %d DescribeJobs per poll\n' \
        "$(awk '$1=="requests"{print $2}' "$d/stats")" "$N" "$N"
    kill $FPID 2>/dev/null; wait $FPID 2>/dev/null || true; FPID=
}

echo "batch_bench: $N jobs, -j $JOBS, fake AWS Batch on loopback ($(nproc) cores)"
[ "$ONLY" = noarray ] || one array
[ "$ONLY" = array ] || one noarray
