#!/bin/sh
# t1404: presigned staging on the cloud executors, whose jobs do not see
# krait's file system (isolated jobs): the same S3 workflow on AWS Batch (the
# fake of tests/batch/) and on Kubernetes (the test cluster of tests/k8s/,
# when it is up), against s3rver behind the botocore-verifying proxy. Each
# gives the objects the local executor gives; the jobs move every object by
# presigned URL (krait moves none); a job's command has no cd into krait's
# directory and no path of krait's; the job runs in a scratch directory and
# sees no AWS credential; its log and benchmark come back through the
# backend (CloudWatch Logs / the pod log) into S3, without the benchmark
# marker; a failing job shows its log's tail and exit code; a job with a
# local input is refused, saying what to do; no secret or URL in .krait; an
# output over the single-upload limit goes up in parts and is assembled.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
T=$PWD
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
# one trap for both: each library's own `wait` would wait for the other's server
trap 'kill $BATCH_PID $S3_PIDS 2>/dev/null; wait; rm -rf "$S3_TMP" "$BATCH_TMP"' EXIT
cd "$T" || exit 1
export FAKE_BATCH_STEP=0.02 FAKE_BATCH_LOG_PAGE=3
BATCH_CREDS=env batch_up || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
SECRET=$AWS_SECRET_ACCESS_KEY
get() { rm -f "$T/got"; "$D" -e "$S3_ENDPOINT" get "$1" "$T/got" >/dev/null 2>&1 && cat "$T/got"; }
printf 'alpha\n' > a.txt; printf 'beta\n' > b.txt
for p in loc batch k8s; do
    "$D" -e "$S3_ENDPOINT" put "s3://bkt/$p/data/a.txt" a.txt 2>/dev/null
    "$D" -e "$S3_ENDPOINT" put "s3://bkt/$p/data/b.txt" b.txt 2>/dev/null
done
mkdir w && cd w || exit 1
cat > Snakefile <<'EOS'
container: "docker.io/library/debian:bookworm-slim"
rule all:
    input: "results/sum.txt", "results/env.txt"
rule up:
    input: "data/{s}.txt"
    output: "results/{s}.up"
    log: "logs/up.{s}.log"
    benchmark: "bench/up.{s}.tsv"
    shell: "echo converting {wildcards.s}; echo to stderr >&2; echo written to the log file > {log}; tr a-z A-Z < {input:q} > {output:q}; sleep 0.3"
rule sum:
    input: expand("results/{s}.up", s=["a", "b"])
    output: "results/sum.txt"
    shell: "cat {input:q} > {output:q}"
rule env:
    input: "results/sum.txt"
    output: "results/env.txt"
    shell: "{{ env; echo PWD_IS=$PWD; }} > {output}"
rule bad:
    input: "data/a.txt"
    output: "results/bad.txt"
    shell: "echo about to fail; echo the reason is here >&2; exit 3"
EOS
mkdir -p "$T/tmp"
run() { TMPDIR=$T/tmp "$KRAIT" run -j 4 -p -v --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
grep -v "^container:" Snakefile > Snakefile.loc
run -s Snakefile.loc --default-storage s3://bkt/loc > ../loc.out 2>&1
x=$?; check $x "the local executor runs the workflow (shared staging, no container)"
[ $x -eq 0 ] || sed 's/^/#   /' ../loc.out | tail -n 8
rm -rf .krait logs bench

# scan the state, the scratch directories and a run's output for secrets and URLs
clean() {
    ! grep -rl "X-Amz-Signature\|X-Amz-Credential\|$SECRET" .krait "$T/tmp" "$@" 2>/dev/null | grep -q .
}

# section BACKEND PREFIX RUN-FUNCTION: the checks both backends share
section() {
    b=$1 p=$2 r=$3
    rm -rf .krait logs bench
    : > ../proxy.log
    $r --default-storage "s3://bkt/$p" > "../$p.out" 2>&1 && grep -q "5 of 5 jobs done" "../$p.out"
    x=$?; check $x "$b: the workflow runs with presigned staging by default (5 jobs)"
    [ $x -eq 0 ] || sed 's/^/#   /' "../$p.out" | tail -n 15
    cp ../proxy.log "../$p.proxy"
    same "$(get "s3://bkt/$p/results/sum.txt")" "$(get s3://bkt/loc/results/sum.txt)" \
        "$b: the same objects as the local executor's"
    grep -q "stages 1 remote input and 1 output itself" "../$p.out"
    check $? "$b: the jobs staged their files themselves"
    grep -q "^GET /bkt/$p/data/a.txt?.*X-Amz-Signature=" "../$p.proxy" &&
        grep -q "^PUT /bkt/$p/results/sum.txt?.*X-Amz-Signature=" "../$p.proxy" &&
        ! grep "^\(GET\|PUT\) /bkt/$p/results/[^?]*\( \|$\)" "../$p.proxy" | grep -q . &&
        ! grep "^GET /bkt/$p/data/[^?]*\( \|$\)" "../$p.proxy" | grep -q .
    check $? "$b: every input and output moved by presigned URL, none by krait"
    ! grep -q -- "-> 403" ../proxy.log
    check $? "$b: the proxy verified every signature (no 403)"
    env=$(get "s3://bkt/$p/results/env.txt")
    echo "$env" | grep -q "^PWD_IS=.*/krait-stage\.[A-Za-z0-9]*$" &&
        ! echo "$env" | grep -q "^PWD_IS=$PWD"
    check $? "$b: the job ran in its own scratch directory, not in krait's"
    [ -n "$env" ] && ! echo "$env" | grep -q "AWS_ACCESS_KEY_ID\|AWS_SECRET\|AWS_SESSION_TOKEN\|$SECRET"
    check $? "$b: no AWS credential in the job's environment"
    log=$(cat logs/up.a.log 2>/dev/null)
    printf '%s\n' "$log" | grep -q "^converting a$" && printf '%s\n' "$log" | grep -q "^to stderr$" &&
        printf '%s\n' "$log" | grep -q "^written to the log file$" &&
        ! printf '%s\n' "$log" | grep -q "krait-benchmark"
    x=$?; check $x "$b: the job's output and its log: file came back through the backend, without the marker"
    [ $x -eq 0 ] || printf '%s\n' "$log" | sed 's/^/#   log: /'
    bench=$(cat bench/up.b.tsv 2>/dev/null)
    printf '%s\n' "$bench" | head -n 1 | grep -q "^s	h:m:s	max_rss" &&
        printf '%s\n' "$bench" | sed -n 2p | grep -q "^0\.[0-9]*	0:00:00	NA"
    x=$?; check $x "$b: the benchmark record came back as Snakemake's TSV (wall time)"
    [ $x -eq 0 ] || printf '%s\n' "$bench" | sed 's/^/#   bench: /'
    clean "../$p.out"
    check $? "$b: no URL, signature or secret in .krait, the scratch directory or krait's output"
    ! $r --default-storage "s3://bkt/$p" results/bad.txt > "../$p.bad" 2>&1 &&
        grep -q "exit code 3" "../$p.bad" && grep -q "the reason is here" "../$p.bad"
    x=$?; check $x "$b: a failing job shows its exit code and its log's tail"
    [ $x -eq 0 ] || sed 's/^/#   /' "../$p.bad" | tail -n 12
    printf 'local\n' > local.txt
    cat > Snakefile.local <<'EOS'
rule l:
    input: "local.txt"
    output: "s3://bkt/x/l.txt"
    container: "docker.io/library/debian:bookworm-slim"
    shell: "cat {input} > {output}"
EOS
    ! $r -s Snakefile.local --storage-staging presigned > "../$p.local" 2>&1 &&
        grep -q "its input local.txt is a local file, but jobs of the $b executor do not see krait's file system" "../$p.local"
    x=$?; check $x "$b: a local input of an isolated job is refused, saying what to do"
    [ $x -eq 0 ] || sed 's/^/#   /' "../$p.local" | tail -n 5
    # an output over the single-upload limit (lowered to 1 MiB here; S3's is 5 GiB)
    cat > Snakefile.big <<'EOS'
rule big:
    output: "results/big.bin", "results/big.md5"
    container: "docker.io/library/debian:bookworm-slim"
    shell: "head -c 7340032 /dev/urandom > {output[0]}; md5sum < {output[0]} | cut -c1-32 > {output[1]}"
EOS
    export KRAIT_PRESIGN_PUT_MAX=1048576 KRAIT_PRESIGN_PART_SIZE=5242880 KRAIT_STAGE_PACK_MIN=0
    $r -s Snakefile.big --default-storage "s3://bkt/$p" > "../$p.big" 2>&1 &&
        [ "$(get "s3://bkt/$p/results/big.bin" | md5sum | cut -c1-32)" = "$(get "s3://bkt/$p/results/big.md5")" ] &&
        ! "$D" -e "$S3_ENDPOINT" ls "s3://bkt/$p/" 2>/dev/null | grep -q krait-part
    x=$?; check $x "$b: a 7 MiB output (limit 1 MiB) went up from the job in parts, assembled by S3 (its script packed)"
    [ $x -eq 0 ] || sed 's/^/#   /' "../$p.big" | tail -n 8
    unset KRAIT_PRESIGN_PUT_MAX KRAIT_PRESIGN_PART_SIZE KRAIT_STAGE_PACK_MIN
}

# ---- AWS Batch -------------------------------------------------------------------
batch() { TMPDIR=$T/tmp krait_batch -j 4 -p -v --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
section aws-batch batch batch
! grep -q "cd -- '$PWD'\|\.krait/log\|$SECRET" "$BATCH_FAKE/record.jsonl" &&
    grep -q "kr_d=" "$BATCH_FAKE/record.jsonl"
check $? "aws-batch: the submitted commands hold the staging wrapper and no path or secret of krait's"
grep -q "base64 -d | gzip -dc" "$BATCH_FAKE/record.jsonl"
check $? "aws-batch: a packed job script was submitted"
cat > Snakefile.many <<'EOS'
rule many:
    output: expand("results/many/{i}.txt", i=range(120))
    container: "docker.io/library/debian:bookworm-slim"
    shell: "for f in {output}; do echo x > $f; done"
EOS
! batch -s Snakefile.many --default-storage s3://bkt/batch > ../batch.many 2>&1 &&
    grep -q "its SubmitJob request would be [0-9]* bytes, over AWS Batch's 30 KiB" ../batch.many
x=$?; check $x "aws-batch: a job too big for one SubmitJob is refused before it is sent, saying why"
[ $x -eq 0 ] || sed 's/^/#   /' ../batch.many | tail -n 6
[ "$(batch_stat requests.GetLogEvents)" -ge 5 ]
check $? "aws-batch: the logs were read with GetLogEvents (paged: $(batch_stat requests.GetLogEvents) requests)"

# ---- Kubernetes ------------------------------------------------------------------
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
if k8s_ensure_up > ../k8s-up.out 2>&1; then
    kube() { TMPDIR=$T/tmp "$KRAIT" run --executor kubernetes --executor-arg k8s-poll-min=0.2 \
                 -j 4 -p -v --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
    section kubernetes k8s kube
    specs=$(k8s_api "/apis/batch/v1/namespaces/default/jobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkrait" |
        k8s_py "json.dumps([i['spec']['template']['spec']['containers'] for i in d['items'] if i['metadata'].get('annotations', {}).get('krait.io/workdir') == '$PWD'])")
    echo "$specs" | grep -q "kr_d=" && ! echo "$specs" | grep -q "workingDir\|\.krait/log\|$SECRET"
    check $? "kubernetes: the Jobs hold the staging wrapper, no workingDir and no path or secret of krait's"
else
    n=$((n + 1)); echo "ok $n # SKIP kubernetes: $(sed -n 's/^1\.\.0 # SKIP //p' ../k8s-up.out | head -n 1)"
fi
echo "1..$n"
