#!/usr/bin/env bash
# k8s-down.sh - stop the test cluster k8s-up.sh started (kubelet, controller
# manager, API server, etcd, by their pid files); keeps certificates and logs.
S=${KRAIT_K8S_STATE:-/var/tmp/krait-k8s}
for n in kubelet controller apiserver etcd; do
    f="$S/$n.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$f"
done
# pods' processes the kubelet started run in sessions of their own
if [ -d "$S/logs" ]; then :; fi
echo "k8s-down: stopped"
