#!/bin/sh
# t1403: no AWS credential enters an AWS Batch job or anything krait
# writes. A run with single jobs, an array job, a failure and a timeout
# (verbose, with its output kept), then: every file krait wrote (the state
# database included), the fake's record of every job's command and
# environment, the jobs' CloudWatch logs and what each job saw in its own
# environment are searched for the secret key and the session token.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
export FAKE_BATCH_STEP=0.02 FAKE_BATCH_TIME_SCALE=0.05
batch_up || exit 0

mkdir wf && cd wf || exit 1
cat > Snakefile <<'EOF'
rule all:
    input: expand("env/{i}.txt", i=range(12)), "one.txt"
rule env:
    output: "env/{i}.txt"
    shell: "env > {output}; echo job {wildcards.i} sees AWS_BATCH_JOB_ID=$AWS_BATCH_JOB_ID"
rule one:
    output: "one.txt"
    params: p="not-a-secret"
    shell: "env > {output}; echo {params.p}"
rule bad:
    output: "bad.txt"
    shell: "env; exit 4"
rule slow:
    output: "slow.txt"
    resources: runtime=1
    shell: "env; sleep 30"
EOF
krait_batch -v -p -j 20 > run.out 2>&1
check $? "a run with single and array jobs succeeds"
krait_batch -v -p bad.txt > bad.out 2>&1
check $(( $? == 0 )) "a failing job fails"
krait_batch -v -p slow.txt > slow.out 2>&1
check $(( $? == 0 )) "a job past its time fails"
grep -q "AWS_BATCH_JOB_ID=" env/3.txt && grep -q "AWS_BATCH_JOB_ARRAY_INDEX=" env/3.txt
check $? "the jobs ran on the fake Batch (they saw its variables)"
[ -s "$BATCH_FAKE/record.jsonl" ] && [ "$(wc -l < "$BATCH_FAKE/record.jsonl")" -ge 15 ]
check $? "the fake recorded every job's command and environment"

for what in "$AWS_SECRET_ACCESS_KEY:the secret key" "$AWS_SESSION_TOKEN:the session token"; do
    secret=${what%%:*}; name=${what#*:}
    grep -rlaF -- "$secret" . > hits 2>/dev/null
    same "$(cat hits)" "" "$name is in no file krait wrote (.krait, logs, outputs, run output)"
    grep -laF -- "$secret" "$BATCH_FAKE/record.jsonl" > hits
    same "$(cat hits)" "" "$name is in no job's command or environment (the fake's record)"
    grep -rlaF -- "$secret" "$BATCH_FAKE/logs" > hits
    same "$(cat hits)" "" "$name is in no job's CloudWatch log"
    if command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 .krait/state.db .dump 2>/dev/null | grep -cF -- "$secret" > hits
        same "$(cat hits)" 0 "$name is not in the state database (sqlite3 .dump)"
    fi
done
grep -q "AWS_ACCESS_KEY_ID\|AWS_SECRET_ACCESS_KEY\|AWS_SESSION_TOKEN" env/3.txt one.txt
check $(( $? == 0 )) "no AWS credential variable is in a job's environment"
grep -q '"KRAIT_ATTEMPT"' "$BATCH_FAKE/record.jsonl"
check $(( $? == 0 )) "jobs get no local-process marker (KRAIT_ATTEMPT)"
ls .krait/state.db > /dev/null 2>&1 || ls .krait/*.db > /dev/null 2>&1
check $? "the state database was among the files searched"
grep -qaF -- "$AWS_SECRET_ACCESS_KEY" "/proc/$BATCH_PID/environ" &&
    grep -qaF -- "$AWS_SESSION_TOKEN" "/proc/$BATCH_PID/environ"
check $? "the search does find them where they are (the fake's own environment)"
echo "1..$n"
