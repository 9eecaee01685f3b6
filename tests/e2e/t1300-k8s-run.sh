#!/bin/sh
# t1300-k8s-run.sh - `krait run --executor kubernetes` against the test cluster
# (real kube-apiserver + Job controller, stand-in kubelet; tests/k8s/): a
# two-rule workflow runs end to end with per-rule images in the Job specs;
# resources become requests/limits, runtime activeDeadlineSeconds; labels name
# the rule and job; a failing job is reported with its exit code and the tail
# of its log; a second run submits nothing; a rule without an image gets a
# clear error; --k8s-namespace; --container-env NAME becomes a reference to a
# Secret's key (the value never in the Job); the API token appears in no Job,
# log or state file.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
k8s_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
stat_of() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }
K="$KRAIT run --executor kubernetes --executor-arg k8s-poll-min=0.2"

# ---- success end to end ------------------------------------------------------
mkdir "$T/ok" && cd "$T/ok" || exit 1
cat > Snakefile <<'SNAKE'
container: "docker.io/library/debian:bookworm-slim"

rule all:
    input: "b.txt", "res.txt"

rule a:
    output: "a.txt"
    container: "registry.example.org/tools/alpha:1.2"
    shell: "echo hello from $HOSTNAME > {output}"

rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "tr a-z A-Z < {input} > {output}"

rule res:
    output: "res.txt"
    threads: 2
    resources: mem_mb=300, disk_mb=100, runtime=5
    shell: "pwd > {output}"
SNAKE
KRAIT_K8S_STATS=$PWD/stats $K -j 4 > run.out 2>&1
rc=$?
check $rc "krait run --executor kubernetes exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 20
case "$(cat b.txt 2>/dev/null)" in "HELLO FROM KR-"*) check 0 "rule b read rule a's output (pod name as HOSTNAME)" ;;
    *) check 1 "rule b read rule a's output"; sed 's/^/#   /' b.txt 2>/dev/null ;; esac
same "$(cat res.txt 2>/dev/null)" "$PWD" "the job ran in the workflow directory"
same "$(stat_of jobs_submitted stats)" "3" "3 Jobs created"
same "$(stat_of post stats)" "3" "3 POST requests (one write per job)"
same "$(stat_of delete stats)" "0" "no DELETE on success (ttlSecondsAfterFinished cleans up)"
jobs=$(k8s_job_here a)
same "$(echo "$jobs" | k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["image"]')" \
    "registry.example.org/tools/alpha:1.2" "rule a's Job runs the rule's image"
jobs=$(k8s_job_here b)
same "$(echo "$jobs" | k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["image"]')" \
    "docker.io/library/debian:bookworm-slim" "rule b's Job runs the global container: image"
jobs=$(k8s_job_here res)
spec=$(echo "$jobs" | k8s_py 'json.dumps(d["spec"], sort_keys=True)')
res=$(echo "$spec" | k8s_py 'json.dumps(d["template"]["spec"]["containers"][0]["resources"], sort_keys=True)')
same "$res" '{"limits": {"ephemeral-storage": "100Mi", "memory": "300Mi"}, "requests": {"cpu": "2", "ephemeral-storage": "100Mi", "memory": "300Mi"}}' \
    "threads/mem_mb/disk_mb -> requests and limits"
same "$(echo "$spec" | k8s_py 'd["activeDeadlineSeconds"], d["backoffLimit"], d["ttlSecondsAfterFinished"], d["template"]["spec"]["restartPolicy"]')" \
    "300 0 3600 Never" "runtime=5 -> activeDeadlineSeconds 300; backoffLimit 0; ttl; restartPolicy Never"
same "$(echo "$jobs" | k8s_py 'sorted(k for k in d["metadata"]["labels"] if k.startswith("krait.io/"))')" \
    "['krait.io/job', 'krait.io/key', 'krait.io/rule', 'krait.io/run', 'krait.io/workflow']" "labels: workflow, run, rule, job id, key"
same "$(echo "$jobs" | k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["command"][:2]')" \
    "['bash', '-c']" "the container runs bash -c SCRIPT"
echo "$jobs" | k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["command"][2]' | grep -q "bash -euo pipefail -c 'pwd > res.txt'"
check $? "the script runs the formatted command with bash -euo pipefail -c"

# ---- a second run submits nothing ------------------------------------------------
KRAIT_K8S_STATS=$PWD/stats2 $K -j 4 > run2.out 2>&1
check $? "second run exits 0"
same "$(stat_of post stats2 || true)" "" "second run: no executor started, nothing submitted"
grep -q "Nothing to be done\|nothing to do\|up to date\|0 of 0" run2.out
check $? "second run says there is nothing to do"
[ $? -eq 0 ] || sed 's/^/#   /' run2.out | tail -n 5

# ---- a failing job: exit code and log tail -------------------------------------
mkdir "$T/fail" && cd "$T/fail" || exit 1
cat > Snakefile <<'SNAKE'
rule bad:
    output: "bad.txt"
    container: "busybox:1.36"
    shell: "echo line-one; echo oops-the-tail >&2; exit 3"
SNAKE
$K -j 2 > run.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "a failing job fails the run (exit $rc)"
grep -q "exit code 3" run.out
check $? "the failure says 'exit code 3'"
grep -q "oops-the-tail" run.out
check $? "the failure shows the tail of the pod's log"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 10
grep -q "oops-the-tail" .krait/log/bad/job.log 2>/dev/null
check $? "the job's log file holds its output"
[ ! -e bad.txt ]; check $? "no output left behind"

# ---- no image: a clear error --------------------------------------------------------
mkdir "$T/noimg" && cd "$T/noimg" || exit 1
cat > Snakefile <<'SNAKE'
rule x:
    output: "x.txt"
    shell: "touch {output}"
SNAKE
$K -j 1 > run.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "a rule without an image fails (exit $rc)"
grep -q "names no container image" run.out && grep -q -- "--container-image" run.out
check $? "the error says to give container: or --container-image"
[ $? -eq 0 ] || sed 's/^/#   /' run.out | tail -n 5
$K -j 1 --container-image docker.io/library/debian:bookworm > run2.out 2>&1
check $? "--container-image gives it one"
[ -e x.txt ]; check $? "and it ran"

# ---- --k8s-namespace ---------------------------------------------------------------
mkdir "$T/ns" && cd "$T/ns" || exit 1
printf 'rule x:\n    output: "x.txt"\n    shell: "touch {output}"\n' > Snakefile
$KRAIT run -j 1 --k8s-namespace krait-t1300 > run0.out 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "option of the Kubernetes executor" run0.out
check $? "--k8s-namespace without --executor kubernetes is refused"
curl -s -o /dev/null --cacert "$K8S_STATE/ca.crt" -H "Authorization: Bearer $(cat "$K8S_STATE/token")" \
    -H 'Content-Type: application/json' -X POST https://127.0.0.1:6443/api/v1/namespaces \
    -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"krait-t1300"}}'
$K -j 1 --k8s-namespace krait-t1300 --container-image busybox > run.out 2>&1
check $? "a run in namespace krait-t1300 exits 0"
nj=$(k8s_api "/apis/batch/v1/namespaces/krait-t1300/jobs?labelSelector=krait.io%2Frule%3Dx" |
    k8s_py 'len([i for i in d["items"] if i["metadata"]["annotations"]["krait.io/workdir"] == "'"$PWD"'"])')
same "$nj" "1" "its Job is in that namespace"

# ---- --container-env: a Secret reference, never the value --------------------------------
mkdir "$T/env" && cd "$T/env" || exit 1
printf 'rule e:\n    output: "e.txt"\n    shell: "echo ${{T1300_SECRET:-unset}} > {output}"\n' > Snakefile
val=$(printf 's3cr3t-%s' "$$" | base64)
k8s_api /api/v1/namespaces/default/secrets/krait-env > /dev/null
curl -s -o /dev/null --cacert "$K8S_STATE/ca.crt" -H "Authorization: Bearer $(cat "$K8S_STATE/token")" \
    -X DELETE https://127.0.0.1:6443/api/v1/namespaces/default/secrets/krait-env
curl -s -o /dev/null --cacert "$K8S_STATE/ca.crt" -H "Authorization: Bearer $(cat "$K8S_STATE/token")" \
    -H 'Content-Type: application/json' -X POST https://127.0.0.1:6443/api/v1/namespaces/default/secrets \
    -d '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"krait-env"},"data":{"T1300_SECRET":"'"$val"'"}}'
T1300_SECRET=from-the-shell $K -j 1 --container-env T1300_SECRET --container-image busybox > run.out 2>&1
check $? "a run with --container-env T1300_SECRET exits 0"
same "$(cat e.txt 2>/dev/null)" "s3cr3t-$$" "the job got the value from Secret krait-env"
job=$(k8s_job_here e)
same "$(echo "$job" | k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["env"][-1]["valueFrom"]["secretKeyRef"]["name"]')" \
    "krait-env" "the Job holds a secretKeyRef"
case "$job" in *"s3cr3t-$$"*|*from-the-shell*) check 1 "and not the value" ;; *) check 0 "and not the value" ;; esac

# ---- the token is nowhere ----------------------------------------------------------
tok=$(cat "$K8S_STATE/token")
all=$(k8s_api "/apis/batch/v1/namespaces/default/jobs")
case "$all" in *"$tok"*) check 1 "no Job object holds the API token" ;; *) check 0 "no Job object holds the API token" ;; esac
! grep -rqa "$tok" "$T"
check $? "no file of the runs (logs, .krait state db) holds the API token"

rm -rf "$T"
echo "1..$n"
