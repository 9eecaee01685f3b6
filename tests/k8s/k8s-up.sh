#!/usr/bin/env bash
# k8s-up.sh - start krait's Kubernetes test cluster on loopback: etcd (Debian's
# etcd-server), kube-apiserver (HTTPS 127.0.0.1:6443, self-signed certificate,
# bearer-token auth, RBAC) and kube-controller-manager (job, garbagecollector,
# podgc, ttl-after-finished controllers) built by k8s-build.sh, and the stand-in
# kubelet tests/k8s/kubelet.py (one node that runs pods' commands on the host).
#
# State lives in $KRAIT_K8S_STATE (default /var/tmp/krait-k8s): certificates,
# tokens, logs, pid files, etcd data, and the files the tests use:
#   kubeconfig   certificate-authority-data of the self-signed CA + a bearer token
#   hooks        the stand-in kubelet's test hooks (see kubelet.py)
#   audit.log    the API server's audit log (one JSON line per request)
# Idempotent: when the cluster already answers, it only checks it. Bounded waits;
# on failure prints the tail of the failing component's log and exits 1.
# Prints "k8s-up: ready (KUBECONFIG=...)" on success.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
S=${KRAIT_K8S_STATE:-/var/tmp/krait-k8s}
PY=/usr/bin/python3
die() { echo "k8s-up: error: $*" >&2; exit 1; }

readyz() {
    [ -f "$S/token" ] || return 1
    curl -s --max-time 3 --cacert "$S/ca.crt" -H "Authorization: Bearer $(cat "$S/token")" \
        https://127.0.0.1:6443/readyz 2>/dev/null | grep -qx ok
}
alive() { [ -f "$S/$1.pid" ] && kill -0 "$(cat "$S/$1.pid")" 2>/dev/null; }
node_ready() {
    curl -s --max-time 3 --cacert "$S/ca.crt" -H "Authorization: Bearer $(cat "$S/token")" \
        https://127.0.0.1:6443/api/v1/nodes/krait-node 2>/dev/null | grep -q '"InternalIP"'
}
wait_for() {    # wait_for SECONDS WHAT CMD...
    local t=$1 what=$2; shift 2
    local end=$(( $(date +%s) + t ))
    until "$@"; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.2
    done
}
fail_with_log() { echo "k8s-up: $1 did not come up; tail of $S/$2:" >&2; tail -15 "$S/$2" >&2; exit 1; }

if alive etcd && alive apiserver && alive controller && alive kubelet && readyz && node_ready; then
    echo "k8s-up: ready (already running; KUBECONFIG=$S/kubeconfig)"
    exit 0
fi
"$HERE/k8s-down.sh" >/dev/null 2>&1 || true

BIN=$("$HERE/k8s-build.sh" 2>"$S.build.err" | tail -1) || { cat "$S.build.err" >&2; die "k8s-build.sh failed"; }
[ -x "$BIN/kube-apiserver" ] || die "no kube-apiserver in '$BIN'"
command -v etcd >/dev/null || die "etcd not found (apt-get install etcd-server)"
command -v openssl >/dev/null || die "openssl not found"
[ -x "$PY" ] || die "$PY not found"

mkdir -p "$S"
chmod 700 "$S"
rm -rf "$S/etcd" "$S/logs" "$S/audit.log"
: > "$S/hooks"

# Certificates: one self-signed CA-capable certificate for the API server (the
# kubeconfig pins it, so TLS is verified), one for the kubelet's log server,
# and the service-account key pair 1.20 requires.
if [ ! -f "$S/ca.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=krait-k8s-test" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -keyout "$S/apiserver.key" -out "$S/ca.crt" >/dev/null 2>&1 || die "openssl (apiserver cert)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=krait-node" \
        -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$S/kubelet.key" -out "$S/kubelet.crt" >/dev/null 2>&1 || die "openssl (kubelet cert)"
    openssl genrsa -out "$S/sa.key" 2048 >/dev/null 2>&1 || die "openssl (sa key)"
    openssl rsa -in "$S/sa.key" -pubout -out "$S/sa.pub" >/dev/null 2>&1 || die "openssl (sa pub)"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$S/token"
    chmod 600 "$S/token" "$S"/*.key
fi
TOKEN=$(cat "$S/token")
echo "$TOKEN,krait-admin,krait-admin,system:masters" > "$S/tokens.csv"
chmod 600 "$S/tokens.csv"
CADATA=$(base64 -w0 < "$S/ca.crt")
cat > "$S/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: krait-test
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: $CADATA
users:
- name: krait-admin
  user:
    token: $TOKEN
contexts:
- name: krait-test
  context:
    cluster: krait-test
    user: krait-admin
    namespace: default
current-context: krait-test
KC
chmod 600 "$S/kubeconfig"
cat > "$S/audit-policy.yaml" <<AP
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
AP

start() {   # start NAME LOGFILE CMD...
    local name=$1 logf=$2; shift 2
    setsid "$@" >"$S/$logf" 2>&1 < /dev/null &
    echo $! > "$S/$name.pid"
}

start etcd etcd.log etcd --name krait --data-dir "$S/etcd" \
    --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster krait=http://127.0.0.1:23800 --quota-backend-bytes=2147483648
wait_for 20 etcd curl -s --max-time 2 http://127.0.0.1:23790/health -o /dev/null \
    || fail_with_log etcd etcd.log

start apiserver apiserver.log "$BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:23790 --bind-address=127.0.0.1 --secure-port=6443 \
    --advertise-address=127.0.0.1 --cert-dir="$S/certs" \
    --tls-cert-file="$S/ca.crt" --tls-private-key-file="$S/apiserver.key" \
    --token-auth-file="$S/tokens.csv" --authorization-mode=RBAC \
    --service-account-key-file="$S/sa.pub" --service-account-signing-key-file="$S/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-cluster-ip-range=10.96.0.0/24 --allow-privileged=true \
    --disable-admission-plugins=ServiceAccount --kubelet-preferred-address-types=InternalIP \
    --feature-gates=TTLAfterFinished=true \
    --audit-log-path="$S/audit.log" --audit-policy-file="$S/audit-policy.yaml" \
    --audit-log-maxsize=1024 --audit-log-mode=blocking
wait_for 90 apiserver readyz || fail_with_log kube-apiserver apiserver.log

cat > "$S/controller.kubeconfig" < "$S/kubeconfig"
start controller controller.log "$BIN/kube-controller-manager" \
    --kubeconfig="$S/controller.kubeconfig" --leader-elect=false \
    --controllers=job,garbagecollector,podgc,ttl-after-finished \
    --feature-gates=TTLAfterFinished=true \
    --bind-address=127.0.0.1 --secure-port=10257 --port=0 \
    --concurrent-gc-syncs=20 --kube-api-qps=200 --kube-api-burst=400
start kubelet kubelet.log "$PY" "$HERE/kubelet.py" --server https://127.0.0.1:6443 \
    --token-file "$S/token" --ca "$S/ca.crt" --cert "$S/kubelet.crt" --key "$S/kubelet.key" \
    --state "$S"
wait_for 30 kubelet node_ready || fail_with_log "the stand-in kubelet" kubelet.log
sleep 0.5
alive controller || fail_with_log kube-controller-manager controller.log
echo "k8s-up: ready (KUBECONFIG=$S/kubeconfig)"
