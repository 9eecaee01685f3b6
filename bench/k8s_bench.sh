#!/usr/bin/env bash
# k8s_bench.sh - N trivial jobs (default 500) through the kubernetes executor and
# the test cluster (tests/k8s/: real kube-apiserver + Job controller, stand-in
# kubelet): how many API requests krait makes, counted twice (by the API
# server's audit log, requests whose user agent is krait's, and by the
# executor's own counters, KRAIT_K8S_STATS), writes per job, reads per status
# poll, and krait's CPU time. Targets (issue 13): at most 2 writes per job, and
# status reads per poll independent of the number of jobs. A second, smaller
# run (N/5 jobs) shows the reads per poll do not grow with N.
# Needs root (the cluster); brings the cluster up itself (k8s-up.sh).
# Usage: bench/k8s_bench.sh [N] [-j JOBS]   (defaults: 500, -j 100)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
KRAIT=${KRAIT:-$HERE/build/krait}
N=${1:-500}
J=100
[ "${2:-}" = -j ] && J=${3:-100}
S=${KRAIT_K8S_STATE:-/var/tmp/krait-k8s}
[ -x "$KRAIT" ] || { echo "k8s_bench: no krait at $KRAIT (set KRAIT=)" >&2; exit 1; }
"$HERE/tests/k8s/k8s-up.sh" >/dev/null || { echo "k8s_bench: the test cluster did not come up" >&2; exit 1; }
export KUBECONFIG=$S/kubeconfig

one() {   # one N: run N jobs, print the figures
    local n=$1 d a0 t rc
    d=$(mktemp -d)
    cat > "$d/Snakefile" <<SNAKE
rule all:
    input: expand("o/{i}.txt", i=range($n))
rule t:
    output: "o/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
    a0=$(wc -l < "$S/audit.log")
    rc=0
    (cd "$d" && KRAIT_K8S_STATS=$d/stats /usr/bin/time -f "%U %S %e" -o "$d/time" \
        "$KRAIT" run -q --executor kubernetes --container-image busybox -j "$J" > "$d/run.out" 2>&1) || rc=$?
    if [ $rc -ne 0 ]; then
        echo "k8s_bench: krait run of $n jobs failed (exit $rc):" >&2
        tail -n 10 "$d/run.out" >&2
        exit 1
    fi
    sleep 0.5
    tail -n +"$((a0 + 1))" "$S/audit.log" > "$d/audit"
    /usr/bin/python3 - "$n" "$d/stats" "$d/time" "$d/audit" <<'PY'
import json, sys, collections
n, stats_path, time_path, audit_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
verbs = collections.Counter()
for line in open(audit_path):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("stage") != "ResponseComplete" or not e.get("userAgent", "").startswith("krait-kubernetes"):
        continue
    verbs[e["verb"]] += 1
st = dict(l.split() for l in open(stats_path))
user, sys_s, wall = (float(x) for x in open(time_path).read().split())
writes = sum(v for k, v in verbs.items() if k in ("create", "update", "patch", "delete", "deletecollection"))
polls = int(st["status_queries"])
reads = sum(v for k, v in verbs.items() if k in ("get", "list", "watch"))
cpu = user + sys_s
print("jobs %d: wall %.1f s, krait CPU %.2f s (%.2f ms/job)" % (n, wall, cpu, 1000 * cpu / n))
print("  API requests by krait (audit log): %d  (%s)" % (sum(verbs.values()),
      ", ".join("%s %d" % kv for kv in sorted(verbs.items()))))
print("  executor counters: requests %s, POST %s, DELETE %s, GET %s (job lists %s, pod lists %s, "
      "log reads %s), retries %s" % (st["requests"], st["post"], st["delete"], st["get"],
      st["list_jobs"], st["list_pods"], st["get_log"], st["retries"]))
print("  writes per job: %.3f (target <= 2)" % (writes / n))
print("  status polls: %d; reads per poll: %.2f (one Job list, plus at most one pending-pod list)"
      % (polls, reads / max(polls, 1)))
PY
    rm -rf "$d"
}
echo "k8s_bench: $(nproc) cores, -j $J, cluster state $S"
one "$N"
one "$((N / 5))"
