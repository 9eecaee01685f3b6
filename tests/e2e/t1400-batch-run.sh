#!/bin/sh
# t1400: the aws-batch executor against tests/batch/fake_batch.py (which
# checks every SigV4 signature with botocore and every request against
# botocore's Batch model): botocore's own client first, then krait: a run
# end to end, job definitions = distinct resource shapes and reused by a
# later run, a second run submits nothing, a failure with exit code, reason
# and log stream, arrays, a timeout, rules-examples/containers with the same
# results as the local executor, and the usage errors.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
export FAKE_BATCH_STEP=0.02 FAKE_BATCH_TIME_SCALE=0.05
batch_up || exit 0

# botocore, an independent client, against the fake
"$BATCH_PY" "$KR_SRCDIR/tests/batch/botocore_drive.py" "$BATCH_ENDPOINT" > boto.tap 2>&1
while IFS= read -r l; do
    case $l in
        "ok "*) check 0 "${l#ok * - }" ;;
        "not ok "*) check 1 "${l#not ok * - }" ;;
        1..*) ;;
        *) echo "# $l" ;;
    esac
done < boto.tap
grep -q '^1\.\.' boto.tap; check $? "botocore's checks ran to the end"

# rules-examples/containers: the same results as the local executor
cp -r "$KR_SRCDIR/rules-examples/containers" loc && cp -r "$KR_SRCDIR/rules-examples/containers" bat
chmod -R u+w loc bat
(cd loc && "$KR_BUILDDIR/krait" run -c 2 > run.out 2>&1)
check $? "rules-examples/containers runs locally"
d0=$(batch_stat job_definitions_registered)
(cd bat && krait_batch -j 4 > run.out 2>&1)
check $? "rules-examples/containers runs on AWS Batch"
cmp -s loc/results/report.tsv bat/results/report.tsv
check $? "... with the same results"
same "$(($(batch_stat job_definitions_registered) - d0))" 1 \
    "its one image and shape make one job definition"

case " $(batch_stat images) " in
    *" localhost/krait-test:latest "*) check 0 "the job definition names the rules' image" ;;
    *) check 1 "the job definition names the rules' image (got: $(batch_stat images))" ;;
esac
defs0=$(batch_stat job_definitions_registered)
mkdir wf && cd wf || exit 1
cat > Snakefile <<'EOF'
S = ["a", "b", "c"]
rule all:
    input: "sum.txt"
rule make:
    output: "out/{s}.txt"
    threads: 2
    resources: mem_mb=512
    shell: "echo {wildcards.s} > {output}; echo stdout of {wildcards.s}"
rule gather:
    input: expand("out/{s}.txt", s=S)
    output: "sum.txt"
    resources: mem_mb=256
    shell: "cat {input} > {output}"
EOF
sub0=$(batch_stat requests.SubmitJob)
krait_batch -j 4 > run1.out 2>&1
check $? "a run on AWS Batch succeeds"
same "$(cat sum.txt | tr '\n' ' ')" "a b c " "the outputs are right"
grep -q "stdout of a" .krait/log/make/s=a.log
check $? "a job's output is in its log"
same "$(($(batch_stat requests.SubmitJob) - sub0))" 4 "one SubmitJob per job"
same "$(($(batch_stat job_definitions_registered) - defs0))" 2 \
    "job definitions registered = distinct resource shapes (2)"
sub1=$(batch_stat requests.SubmitJob)
krait_batch -j 4 > run2.out 2>&1
check $? "a second run succeeds"
grep -q "Nothing to be done" run2.out
check $? "the second run has nothing to do"
same "$(batch_stat requests.SubmitJob)" "$sub1" "the second run submits nothing"

# a fresh copy (new state database) runs again and reuses the definitions
cd .. && mkdir wf2 && cp wf/Snakefile wf2/ && cd wf2 || exit 1
dd0=$(batch_stat requests.DescribeJobDefinitions)
krait_batch -j 4 > run.out 2>&1
check $? "a run in a fresh directory succeeds"
same "$(($(batch_stat job_definitions_registered) - defs0))" 2 \
    "a later run reuses the job definitions (none registered)"
same "$(($(batch_stat requests.DescribeJobDefinitions) - dd0))" 2 \
    "... found with DescribeJobDefinitions, once per shape"

# failure: exit code, reason, log stream, the log's tail
cd .. && mkdir fail && cd fail || exit 1
cat > Snakefile <<'EOF'
rule bad:
    output: "x.txt"
    shell: "echo about to fail >&2; exit 3"
EOF
krait_batch > run.out 2>&1
check $(( $? == 0 )) "a failing job fails the run"
grep -q "exit code 3" run.out
check $? "the exit code is reported"
grep -q "Essential container in task exited" run.out
check $? "Batch's reason is reported"
grep -q "log stream krait-[0-9a-f]*/default/" run.out
check $? "the CloudWatch log stream is named"
grep -q "about to fail" run.out
check $? "the log's tail is shown"

# an array job: many ready jobs of one rule
cd .. && mkdir arr && cd arr || exit 1
cat > Snakefile <<'EOF'
rule all:
    input: expand("o/{i}.txt", i=range(12))
rule sq:
    output: "o/{i}.txt"
    shell: "echo $(( {wildcards.i} * {wildcards.i} )) > {output}"
EOF
a0=$(batch_stat array_jobs)
krait_batch -j 20 > run.out 2>&1
check $? "12 jobs of one rule run"
same "$(cat o/11.txt o/3.txt | tr '\n' ' ')" "121 9 " "array tasks ran their own commands"
same "$(($(batch_stat array_jobs) - a0))" 1 "they went as one array job"

# a timeout (runtime 1 min -> attemptDurationSeconds 60; the fake runs 20x fast)
cd .. && mkdir slow && cd slow || exit 1
cat > Snakefile <<'EOF'
rule slow:
    output: "s.txt"
    resources: runtime=1
    shell: "sleep 30; touch {output}"
EOF
krait_batch > run.out 2>&1
check $(( $? == 0 )) "a job past its runtime fails"
grep -q "TIMEOUT" run.out && grep -q "attempt duration exceeded timeout" run.out
check $? "it is reported as a timeout"

# out of memory: the fake kills a job past its MEMORY as a memory cgroup does
# (exit 137, reason OutOfMemoryError); krait says OUT_OF_MEMORY, and a retry
# with Snakemake's attempt-scaled mem_mb asks for more and succeeds
cd "$BATCH_TMP" && mkdir oom && cd oom || exit 1
cat > Snakefile <<'EOF'
rule big:
    output: "big.txt"
    resources: mem_mb=lambda wildcards, attempt: 64 if attempt == 1 else 1024
    shell: "python3 -c 'import time; b = bytearray(300 << 20); time.sleep(1.5)'; touch {output}"
EOF
o0=$(batch_stat oom_killed)
krait_batch > run.out 2>&1
check $(( $? == 0 )) "a job past its memory limit fails"
grep -q "OUT_OF_MEMORY: exit code 137" run.out && grep -q "OutOfMemoryError" run.out
x=$?; check $x "it is reported as out of memory, with Batch's reason"
[ $x -eq 0 ] || sed 's/^/#   /' run.out | tail -n 6
same "$(($(batch_stat oom_killed) - o0))" 1 "the fake killed it for its memory"
rm -rf .krait
krait_batch --retries 1 > run.out 2>&1
x=$?; check $x "with --retries 1 the second attempt, asking for 1024 MiB, succeeds"
[ $x -eq 0 ] || sed 's/^/#   /' run.out | tail -n 6
case " $(batch_stat shapes) " in
    *"MEMORY=1024,"*) case " $(batch_stat shapes) " in *"MEMORY=64,"*) check 0 "the attempts asked for 64 and then 1024 MiB" ;;
                      *) check 1 "the attempts asked for 64 and then 1024 MiB" ;; esac ;;
    *) check 1 "the attempts asked for 64 and then 1024 MiB"; echo "# shapes: $(batch_stat shapes)" ;;
esac

# resources: threads -> VCPU, mem_mb -> MEMORY, gpu -> GPU, runtime -> timeout
cd "$BATCH_TMP" && mkdir res && cd res || exit 1
printf 'rule g:\n    output: "g"\n    threads: 4\n    resources: gpu=2, mem_mb=3000, runtime=90\n    shell: "touch {output}"\n' > Snakefile
krait_batch -j 8 > run.out 2>&1
check $? "a job asking for threads, memory, GPUs and time runs"
case " $(batch_stat shapes) " in
    *" GPU=2,MEMORY=3000,VCPU=4,timeout=5400 "*) check 0 "its job definition asks for 4 vCPUs, 3000 MiB, 2 GPUs, 5400 s" ;;
    *) check 1 "its job definition asks for 4 vCPUs, 3000 MiB, 2 GPUs, 5400 s"; echo "# shapes: $(batch_stat shapes)" ;;
esac

# the queue and endpoint from a profile
cd "$BATCH_TMP" && mkdir -p prof/p && cd prof || exit 1
cat > p/config.yaml <<EOF
executor: aws-batch
aws-batch-queue: krait-test
aws-batch-endpoint-url: $BATCH_ENDPOINT
executor-arg:
  - aws-batch-poll-min=0.2
EOF
printf 'rule a:\n    output: "x"\n    shell: "touch {output}"\n' > Snakefile
s0=$(batch_stat requests.SubmitJob)
"$KR_BUILDDIR/krait" run --profile ./p > run.out 2>&1
check $? "a profile can name the executor, queue and endpoint"
same "$(($(batch_stat requests.SubmitJob) - s0))" 1 "... and the job went to AWS Batch"

# usage errors
cd "$BATCH_TMP" || exit 1
"$KR_BUILDDIR/krait" run --executor aws-batch --aws-batch-endpoint-url "$BATCH_ENDPOINT" \
    -F -d wf > noq.out 2>&1
check $(( $? == 0 )) "no queue: an error"
grep -q "needs a job queue: --aws-batch-queue" noq.out
check $? "... that says which option to give"
"$KR_BUILDDIR/krait" run --aws-batch-queue q -d wf > noe.out 2>&1
grep -q "add --executor aws-batch" noe.out
check $? "--aws-batch-queue without the executor: says to add it"
(cd wf && AWS_SECRET_ACCESS_KEY=wrong-secret krait_batch -F > bad.out 2>&1)
check $(( $? == 0 )) "a wrong secret fails the run"
grep -q "InvalidSignatureException" wf/bad.out && grep -q "check the credentials" wf/bad.out
check $? "... naming the error and what to check"
echo "1..$n"
