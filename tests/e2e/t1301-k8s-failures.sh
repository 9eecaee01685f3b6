#!/bin/sh
# t1301-k8s-failures.sh - how the kubernetes executor reports what goes wrong in
# a pod, with the stand-in kubelet told (tests/k8s/kubelet.py hooks) to report
# OOMKilled, DeadlineExceeded and Evicted: OOM and deadline fail the job with
# that reason; an eviction is retried WITHOUT using up `retries` and the job
# then succeeds; a GPU the cluster lacks leaves the pod Pending and the job
# fails after the pending timeout with the scheduler's message, in bounded
# time, its Job deleted; --k8s-gpu-resource names another resource; 429 and
# 503 answers (tests/k8s/fault-proxy.py) are retried and the run succeeds.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
k8s_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
K="$KRAIT run --executor kubernetes --executor-arg k8s-poll-min=0.2 --container-image busybox"
# rule names unique to this test: the hooks file is shared by the cluster
k8s_hook "krait.io/rule=t1301_eat oom"
k8s_hook "krait.io/rule=t1301_slow deadline"
k8s_hook "krait.io/rule=t1301_evicted evict-once"

# ---- OOMKilled ------------------------------------------------------------------
mkdir "$T/oom" && cd "$T/oom" || exit 1
cat > Snakefile <<'SNAKE'
rule t1301_eat:
    output: "eat.txt"
    resources: mem_mb=10
    shell: "sleep 5; touch {output}"
SNAKE
$K -j 1 > run.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "an OOM-killed job fails the run (exit $rc)"
grep -q "OOMKilled" run.out
check $? "the failure says OOMKilled"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 8

# ---- DeadlineExceeded -------------------------------------------------------------
mkdir "$T/dl" && cd "$T/dl" || exit 1
cat > Snakefile <<'SNAKE'
rule t1301_slow:
    output: "slow.txt"
    resources: runtime=1
    retries: 0
    shell: "sleep 30; touch {output}"
SNAKE
$K -j 1 > run.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "a job past its deadline fails the run (exit $rc)"
grep -q "DeadlineExceeded" run.out
check $? "the failure says DeadlineExceeded"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 8
sqlite3 .krait/state.db "select detail from attempts" 2>/dev/null | grep -q DeadlineExceeded
check $? "the state database records DeadlineExceeded"

# ---- Evicted: retried without using up retries ---------------------------------------
mkdir "$T/ev" && cd "$T/ev" || exit 1
cat > Snakefile <<'SNAKE'
rule t1301_evicted:
    output: "ev.txt"
    shell: "sleep 1; echo survived > {output}"
SNAKE
$K -j 1 > run.out 2>&1
rc=$?
check $rc "an evicted job is run again and the run succeeds (retries: 0)"
[ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 10
same "$(cat ev.txt 2>/dev/null)" "survived" "the second attempt made the output"
grep -q "Evicted" run.out
check $? "the eviction is reported"

# ---- unschedulable GPU ----------------------------------------------------------------
mkdir "$T/gpu" && cd "$T/gpu" || exit 1
cat > Snakefile <<'SNAKE'
rule t1301_gpu:
    output: "g.txt"
    resources: gpu=1
    shell: "touch {output}"
SNAKE
t0=$(date +%s)
timeout 120 $K -j 1 --executor-arg k8s-pending-timeout=4 > run.out 2>&1
rc=$?
t1=$(date +%s)
[ $rc -ne 0 ] && [ $rc -ne 124 ]; check $? "a job asking for a GPU the cluster lacks fails (exit $rc)"
grep -q "Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu" run.out
check $? "with the scheduler's message"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 8
[ $((t1 - t0)) -le 30 ]; check $? "in bounded time ($((t1 - t0)) s with a 4 s pending timeout)"
# this run's Jobs only (its workdir): a krait killed elsewhere may have left one of the rule
left=$(k8s_api "/apis/batch/v1/namespaces/default/jobs?labelSelector=krait.io%2Frule%3Dt1301_gpu" |
       k8s_py "len([i for i in d['items'] if not i['metadata'].get('deletionTimestamp') and i['metadata'].get('annotations', {}).get('krait.io/workdir') == '$PWD'])")
same "$left" "0" "its Job was deleted"
timeout 120 $K -j 1 --executor-arg k8s-pending-timeout=3 --k8s-gpu-resource amd.com/gpu > run2.out 2>&1
grep -q "Insufficient amd.com/gpu" run2.out
check $? "--k8s-gpu-resource amd.com/gpu: the pod asks for amd.com/gpu"
[ $? -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 8

# ---- 429 and 5xx are retried ---------------------------------------------------------
# tests/k8s/fault-proxy.py answers every third request itself with 429 or 503
mkdir "$T/flaky" && cd "$T/flaky" || exit 1
port=$((20000 + $$ % 20000))
/usr/bin/python3 "$KR_SRCDIR/tests/k8s/fault-proxy.py" --port $port --upstream https://127.0.0.1:6443 \
    --ca "$K8S_STATE/ca.crt" --cert "$K8S_STATE/ca.crt" --key "$K8S_STATE/apiserver.key" \
    --every 3 --stats "$PWD/proxy.stats" 2>proxy.err &
ppid=$!
sed "s#https://127.0.0.1:6443#https://127.0.0.1:$port#" "$K8S_STATE/kubeconfig" > kubeconfig
t=0; until curl -s -o /dev/null --cacert "$K8S_STATE/ca.crt" https://127.0.0.1:$port/ || [ $t -ge 50 ]; do sleep 0.1; t=$((t + 1)); done
cat > Snakefile <<'SNAKE'
rule all:
    input: expand("f/{i}.txt", i=range(8))
rule t1301_flaky:
    output: "f/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
KUBECONFIG=$PWD/kubeconfig KRAIT_K8S_STATS=$PWD/stats $K -j 8 > run.out 2>&1
rc=$?
check $rc "a run through a server answering every third request 429/503 succeeds"
[ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 10
same "$(ls f 2>/dev/null | wc -l)" "8" "all 8 jobs ran"
r=$(sed -n 's/^retries //p' stats)
f=$(sed -n 's/^faults //p' proxy.stats)
[ "${r:-0}" -gt 0 ] && [ "${r:-0}" = "${f:-x}" ]
check $? "every injected fault was retried (${f:-?} faults, ${r:-?} retries)"
same "$(sed -n 's/^jobs_submitted //p' stats)" "8" "no Job created twice"
kill $ppid 2>/dev/null; wait $ppid 2>/dev/null

rm -rf "$T"
echo "1..$n"
