#!/bin/sh
# t1401: a 200-job sweep on the fake AWS Batch while it reclaims 20% of the
# jobs as spot does, throttles every 7th API request (429
# TooManyRequestsException) and fails every 11th with 500: the run completes with
# `retries` 0 (reclaims are retried for free), each reclaim is logged, and
# the results are the same as the local executor's. 3% of the attempts fail
# to start their container (an infrastructure failure): retried for free too.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
export FAKE_BATCH_STEP=0.02 FAKE_BATCH_SPOT_RATE=0.2 FAKE_BATCH_THROTTLE_EVERY=7 \
    FAKE_BATCH_ERROR_EVERY=11 FAKE_BATCH_START_FAIL_RATE=0.03
batch_up --slots 24 || exit 0

mkdir loc bat
cat > loc/Snakefile <<'EOF'
N = range(200)
rule all:
    input: "all.txt"
rule sweep:
    output: "r/{i}.txt"
    shell: "sleep 0.2; echo {wildcards.i} $(( {wildcards.i} * 7 % 13 )) $(( {wildcards.i} ** 2 )) > {output}"
rule gather:
    input: expand("r/{i}.txt", i=N)
    output: "all.txt"
    shell: "cat {input} | sort -n > {output}"
EOF
cp loc/Snakefile bat/
(cd loc && "$KR_BUILDDIR/krait" run -c 2 -q > run.out 2>&1)
check $? "the sweep runs locally"
(cd bat && krait_batch -j 60 --retries 0 > run.out 2>&1)
rc=$?
check $rc "the sweep completes on AWS Batch with spot reclaims, throttling and 5xx (retries 0)"
[ $rc -eq 0 ] || tail -20 bat/run.out | sed 's/^/# /'
diff -r loc/r bat/r > /dev/null && cmp -s loc/all.txt bat/all.txt
check $? "the results are the same as the local executor's"
rec=$(batch_stat reclaimed)
echo "# fake: $(batch_stat start_failed) did not start, $rec reclaimed, $(batch_stat faults.throttled) throttled, $(batch_stat faults.server_error) server errors, $(batch_stat array_jobs) arrays"
[ "$rec" -ge 20 ] && [ "$rec" -le 90 ]
check $? "about 20% of the job attempts were reclaimed ($rec)"
same "$(grep -c 'PREEMPTED: spot reclaim of AWS Batch job .*Host EC2 (instance i-0abc[0-9a-f]*) terminated' bat/run.out)" \
    "$rec" "each reclaim is logged, naming the instance"
[ "$(batch_stat faults.throttled)" -gt 0 ] && [ "$(batch_stat faults.server_error)" -gt 0 ]
check $? "throttling and server errors were injected and survived"
grep -q "PREEMPTED: .*(attempt 1 of 2)" bat/run.out
check $? "a reclaimed job's retry is an extra attempt (retries 0 stays untouched)"
grep -qi "failed for good\|jobs failed" bat/run.out
check $(( $? == 0 )) "no job failed"
sf=$(batch_stat start_failed)
same "$(grep -c 'NODE_FAIL: AWS Batch job .* did not run: Task failed to start; CannotStartContainerError' bat/run.out)" \
    "$sf" "each container that did not start is logged and retried ($sf)"
same "$(batch_stat states.FAILED)" "$((rec + sf))" "the only FAILED Batch jobs are the reclaimed and unstarted ones"
"$KR_BUILDDIR/krait" log --run 1 -d bat > log.out 2>&1
same "$(grep -c "PREEMPTED: spot reclaim" log.out)" "$rec" "krait log --run keeps every reclaim"
echo "1..$n"
