# k8s-lib.sh - sourced by the Kubernetes end-to-end tests (tests/e2e/t13NN-k8s-*.sh).
#
# k8s_ensure_up: make sure the test cluster runs (tests/k8s/k8s-up.sh,
# idempotent, serialised with flock) and export KUBECONFIG for it. It never
# builds the control plane: a cold build of kube-apiserver takes 11-14 minutes,
# so it is the job of tests/run-all.sh (or a person) to run
# tests/k8s/k8s-build.sh first; without the cached binaries the test skips.
# Returns 0 when the cluster is up; otherwise prints "1..0 # SKIP reason" and
# returns 1 (the caller exits 0).
# Also defines:
#   K8S_STATE              the cluster's state directory
#   k8s_api PATH           GET PATH from the API server (JSON on stdout)
#   k8s_py EXPR            evaluate a Python expression over the JSON on stdin (as d)
#   k8s_hook LINE          add a stand-in kubelet hook (see tests/k8s/kubelet.py)

K8S_STATE=${KRAIT_K8S_STATE:-/var/tmp/krait-k8s}
K8S_PY=/usr/bin/python3

k8s_ensure_up() {
    local log rc have=0 d
    if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # SKIP the Kubernetes test cluster needs root (tests/k8s/k8s-up.sh)"
        return 1
    fi
    for d in "${KRAIT_K8S_CACHE:-/var/cache/krait-k8s}"/*/; do
        [ -x "$d/kube-apiserver" ] && [ -x "$d/kube-controller-manager" ] && have=1
    done
    if [ $have -eq 0 ]; then
        echo "1..0 # SKIP no kube-apiserver built: run tests/k8s/k8s-build.sh first (11-14 min once; tests/run-all.sh does)"
        return 1
    fi
    if ! command -v etcd >/dev/null || [ ! -x "$K8S_PY" ] || ! command -v curl >/dev/null; then
        echo "1..0 # SKIP etcd, curl or $K8S_PY missing (scripts/install-deps.sh --k8s)"
        return 1
    fi
    log=$(mktemp)
    # -o: the cluster's daemons must not inherit the lock (held open by
    # them, it would block every later caller for good); -w: never hang a run
    flock -o -w 900 /tmp/krait-k8s-up.lock "$KR_SRCDIR/tests/k8s/k8s-up.sh" >"$log" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "1..0 # SKIP tests/k8s/k8s-up.sh failed: $(tail -n 1 "$log")"
        sed 's/^/# /' "$log"
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    KUBECONFIG=$K8S_STATE/kubeconfig
    export KUBECONFIG
    return 0
}

k8s_api() {
    curl -s --max-time 20 --cacert "$K8S_STATE/ca.crt" \
        -H "Authorization: Bearer $(cat "$K8S_STATE/token")" "https://127.0.0.1:6443$1"
}

k8s_py() {
    "$K8S_PY" -c "import json,sys
d=json.load(sys.stdin)
print($1)"
}

k8s_hook() {
    (flock 8; echo "$1" >> "$K8S_STATE/hooks") 8>>"$K8S_STATE/hooks.lock"
}

# k8s_jobs_here [all]: names of the Jobs run in the current directory (running ones only, unless "all"), one per line, sorted.
k8s_jobs_here() {
    k8s_api "/apis/batch/v1/namespaces/default/jobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkrait" |
        "$K8S_PY" -c "import json,sys
d=json.load(sys.stdin)
for i in d.get('items', []):
    md=i['metadata']
    if md.get('annotations', {}).get('krait.io/workdir') != sys.argv[1]:
        continue
    if sys.argv[2] != 'all':
        if md.get('deletionTimestamp'):
            continue
        if any(c.get('status') == 'True' for c in i.get('status', {}).get('conditions', []) or []):
            continue
    print(md['name'])" "$PWD" "${1:-running}" | sort
}

# k8s_job_here RULE: the JSON of a Job of rule RULE run in the current
# directory (the newest), or {} when there is none.
k8s_job_here() {
    k8s_api "/apis/batch/v1/namespaces/default/jobs?labelSelector=krait.io%2Frule%3D$1" |
        "$K8S_PY" -c "import json,sys
d=json.load(sys.stdin)
mine=[i for i in d.get('items', []) if i['metadata'].get('annotations', {}).get('krait.io/workdir') == sys.argv[1]]
mine.sort(key=lambda i: i['metadata']['creationTimestamp'])
print(json.dumps(mine[-1] if mine else {}))" "$PWD"
}
