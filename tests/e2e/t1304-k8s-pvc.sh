#!/bin/sh
# t1304-k8s-pvc.sh - `krait run --executor kubernetes --k8s-pvc CLAIM:MOUNT`
# against the test cluster: the Jobs mount the PersistentVolumeClaim at MOUNT
# and run in the workflow directory on it (shared staging by default); the
# same results as the local executor; a workflow directory outside MOUNT and a
# malformed value are refused before anything is submitted; a claim that does
# not exist is reported with the scheduler's message after the pending timeout.
# The stand-in kubelet runs pods on the host and mounts nothing, so the claim
# is bound to a hostPath PersistentVolume whose path is MOUNT.
set -u
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
k8s_ensure_up || exit 0
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
tag=$(basename "$T" | tr 'A-Z_.' 'a-z--')
claim="krait-$tag"
k8s_post() {  # PATH JSON: create an object, print the HTTP status
    curl -s -o /dev/null -w '%{http_code}' --max-time 20 --cacert "$K8S_STATE/ca.crt" \
        -H "Authorization: Bearer $(cat "$K8S_STATE/token")" -H "Content-Type: application/json" \
        -X POST --data "$2" "https://127.0.0.1:6443$1"
}
mkdir -p "$T/vol/wf" "$T/outside"
st1=$(k8s_post /api/v1/persistentvolumes "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolume\",
  \"metadata\":{\"name\":\"$claim\"},\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},
  \"accessModes\":[\"ReadWriteMany\"],\"storageClassName\":\"\",\"hostPath\":{\"path\":\"$T/vol\"},
  \"claimRef\":{\"namespace\":\"default\",\"name\":\"$claim\"}}}")
st2=$(k8s_post /api/v1/namespaces/default/persistentvolumeclaims "{\"apiVersion\":\"v1\",
  \"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"$claim\"},\"spec\":{
  \"accessModes\":[\"ReadWriteMany\"],\"storageClassName\":\"\",\"volumeName\":\"$claim\",
  \"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}")
same "$st1 $st2" "201 201" "a hostPath PersistentVolume and a claim bound to it are created"

K="$KRAIT run --executor kubernetes --executor-arg k8s-poll-min=0.2"
cd "$T/vol/wf" || exit 1
cat > Snakefile <<'SNAKE'
container: "docker.io/library/debian:bookworm-slim"
rule all:
    input: expand("up/{s}.txt", s=["a", "b", "c"]), "where.txt"
rule up:
    output: "up/{s}.txt"
    log: "logs/{s}.log"
    shell: "echo {wildcards.s} | tr a-z A-Z > {output}; echo made {wildcards.s}"
rule where:
    output: "where.txt"
    shell: "pwd > {output}"
SNAKE
$K -j 4 --k8s-pvc "$claim:$T/vol" > run.out 2>&1
x=$?; check $x "the workflow runs with --k8s-pvc"
[ $x -eq 0 ] || sed 's/^/#   /' run.out | tail -n 12
same "$(cat up/a.txt up/b.txt up/c.txt 2>/dev/null | tr '\n' ' ')" "A B C " "the jobs wrote their outputs on the claim"
same "$(cat where.txt 2>/dev/null)" "$T/vol/wf" "a job ran in the workflow directory on the claim"
grep -q "made a" logs/a.log 2>/dev/null
check $? "the job's log is on the claim"
spec=$(k8s_job_here up | k8s_py 'json.dumps(d["spec"]["template"]["spec"])')
echo "$spec" | k8s_py "d['volumes'][0]['persistentVolumeClaim']['claimName'] == '$claim' and d['containers'][0]['volumeMounts'][0]['mountPath'] == '$T/vol' and d['containers'][0]['workingDir'] == '$PWD'" | grep -q True
check $? "the Job mounts the claim at the mount path and works in the workflow directory"

# the same workflow locally gives the same files
mkdir "$T/loc" && grep -v "^container:" Snakefile > "$T/loc/Snakefile" && (cd "$T/loc" && $KRAIT run -c 2 > run.out 2>&1)
check $? "the local executor runs the same workflow"
same "$(cd "$T/loc" && cat up/a.txt up/b.txt up/c.txt | tr '\n' ' ')" "$(cat up/a.txt up/b.txt up/c.txt | tr '\n' ' ')" \
    "... with the same results"

# usage errors, before anything is submitted
cd "$T/outside" && cp "$T/vol/wf/Snakefile" . || exit 1
! $K --k8s-pvc "$claim:$T/vol" > run.out 2>&1 &&
    grep -q "the workflow directory ($T/outside/.krait) is not under $T/vol" run.out
check $? "a workflow directory outside the mount path is refused, saying why"
! $K --k8s-pvc "$claim" > run2.out 2>&1 && grep -q "expected CLAIM:MOUNT" run2.out
check $? "a value without a mount path is refused"
! $KRAIT run --k8s-pvc "$claim:$T/vol" > run3.out 2>&1 && grep -q "is an option of the Kubernetes executor" run3.out
check $? "--k8s-pvc without the kubernetes executor is refused"
same "$(ls -A "$T/outside" | grep -v '^run\|^Snakefile$\|^\.krait$' | tr '\n' ' ')" "" "nothing was run there"

# a claim that does not exist: Pending with the scheduler's message, then failed
cd "$T/vol/wf" && rm -f where.txt
! $KRAIT run where.txt --executor kubernetes --k8s-pvc "krait-nosuch-$tag:$T/vol" --executor-arg k8s-poll-min=0.2 k8s-pending-timeout=3 > run4.out 2>&1 &&
    grep -q "persistentvolumeclaim \"krait-nosuch-$tag\" not found" run4.out
x=$?; check $x "a missing claim is reported with the scheduler's message"
[ $x -eq 0 ] || sed 's/^/#   /' run4.out | tail -n 8

curl -s -o /dev/null --max-time 20 --cacert "$K8S_STATE/ca.crt" -H "Authorization: Bearer $(cat "$K8S_STATE/token")" \
    -X DELETE "https://127.0.0.1:6443/api/v1/namespaces/default/persistentvolumeclaims/$claim"
curl -s -o /dev/null --max-time 20 --cacert "$K8S_STATE/ca.crt" -H "Authorization: Bearer $(cat "$K8S_STATE/token")" \
    -X DELETE "https://127.0.0.1:6443/api/v1/persistentvolumes/$claim"
echo "1..$n"
