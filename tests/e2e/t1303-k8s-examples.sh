#!/bin/sh
# t1303-k8s-examples.sh - the rule files of rules-examples/ run unchanged
# through the kubernetes executor (test cluster: the stand-in kubelet runs pods
# on the host, so an image needs no real container runtime) and give
# byte-identical outputs to the local executor; rules-examples/containers' images
# appear in the Job specs (docker:// dropped); a generated 200-job sweep gives
# the same bytes on both executors, with far fewer status lists than jobs.
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
# outputs only: no state, no logs of the runs themselves
outputs() { (cd "$1" && find . -path ./.krait -prune -o -type f ! -name 'run*.out' ! -name stats -print | sort); }

for ex in quickstart sample-sheet variant-calling param-sweep containers; do
    for mode in local k8s; do
        mkdir -p "$T/$ex/$mode"
        cp -r "$KR_SRCDIR/rules-examples/$ex/." "$T/$ex/$mode/"
        cd "$T/$ex/$mode" || exit 1
        if [ $mode = local ]; then
            $KRAIT run -c 2 --container-runtime none > run.out 2>&1
        else
            $K -j 8 --container-image docker.io/library/debian:bookworm > run.out 2>&1
        fi
        rc=$?
        check $rc "$ex: $mode run exits 0"
        [ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 15
    done
    a=$(outputs "$T/$ex/local"); b=$(outputs "$T/$ex/k8s")
    same "$b" "$a" "$ex: the same output files"
    diff -r -x .krait -x 'run*.out' "$T/$ex/local" "$T/$ex/k8s" > "$T/$ex.diff" 2>&1
    check $? "$ex: byte-identical outputs on local and kubernetes"
    [ -s "$T/$ex.diff" ] && sed 's/^/#   /' "$T/$ex.diff" | head -n 10
done
cd "$T/containers/k8s" || exit 1
imgs=$(k8s_jobs_here all | while read -r j; do
    k8s_api "/apis/batch/v1/namespaces/default/jobs/$j" |
        k8s_py 'd["spec"]["template"]["spec"]["containers"][0]["image"]'; done | sort | uniq -c | sed 's/^ *//')
same "$imgs" "3 localhost/krait-test:latest" "containers: the 3 Jobs run the rules' image (docker:// dropped)"

# ---- a 200-job sweep -------------------------------------------------------------------
for mode in local k8s; do
    mkdir -p "$T/sweep/$mode" && cd "$T/sweep/$mode" || exit 1
    cat > Snakefile <<'SNAKE'
N = 200
rule all:
    input: "sum.txt"
rule point:
    output: "pts/{i}.txt"
    shell: "echo {wildcards.i} $(( {wildcards.i} * {wildcards.i} % 97 )) | sha256sum > {output}"
rule total:
    input: expand("pts/{i}.txt", i=range(N))
    output: "sum.txt"
    shell: "cat {input} | sha256sum > {output}; ls pts | wc -l >> {output}"
SNAKE
    if [ $mode = local ]; then
        $KRAIT run -c 2 > run.out 2>&1
    else
        KRAIT_K8S_STATS=$PWD/stats $K -j 50 --container-image busybox > run.out 2>&1
    fi
    rc=$?
    check $rc "sweep: $mode run of 201 jobs exits 0"
    [ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 15
done
diff -r -x .krait -x 'run*.out' -x stats "$T/sweep/local" "$T/sweep/k8s" > /dev/null 2>&1
check $? "sweep: byte-identical outputs on local and kubernetes"
same "$(tail -n 1 "$T/sweep/k8s/sum.txt" 2>/dev/null)" "200" "sweep: 200 points"
cd "$T/sweep/k8s"
same "$(stat_of post stats)" "201" "sweep: 201 POSTs for 201 jobs"
l=$(stat_of list_jobs stats)
[ "${l:-999}" -lt 100 ]; check $? "sweep: status by list, fewer lists than jobs (${l:-?} lists)"
sed 's/^/# stats: /' stats 2>/dev/null

rm -rf "$T"
echo "1..$n"
