#!/bin/sh
# t1402: the aws-batch executor and krait's life: SIGINT terminates every
# job of the run (TerminateJob), --detach leaves jobs running and a later
# run re-adopts them by their journaled Batch job ids, and after SIGKILL a
# rerun re-adopts what runs: nothing is submitted twice.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
export FAKE_BATCH_STEP=0.02
batch_up --slots 16 || exit 0

# wait until the fake's figure PATH reaches VALUE (up to 20 s)
wait_stat() {
    i=0
    while [ "$(batch_stat "$1")" -lt "$2" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
    [ "$(batch_stat "$1")" -ge "$2" ]
}
sweep() {  # DIR SECONDS: 6 jobs of one rule that sleep
    mkdir -p "$1"
    cat > "$1/Snakefile" <<EOF
rule all:
    input: expand("o/{i}.txt", i=range(6))
rule s:
    output: "o/{i}.txt"
    shell: "sleep $2; echo {wildcards.i} > {output}"
EOF
}

# SIGINT: every job is terminated
sweep int 61.7
(cd int && exec "$KR_BUILDDIR/krait" run --executor aws-batch --aws-batch-queue krait-test \
    --aws-batch-endpoint-url "$BATCH_ENDPOINT" --executor-arg aws-batch-poll-min=0.2 \
    --executor-arg aws-batch-poll-max=0.5 -j 6 > run.out 2>&1) &
kpid=$!
wait_stat states.RUNNING 6
check $? "six jobs run on Batch"
kill -INT $kpid
wait $kpid
check $(( $? == 0 )) "krait stops with an error after SIGINT"
same "$(batch_stat requests.TerminateJob)" 6 "SIGINT terminates each job of the run (6 TerminateJob)"
i=0   # the fake stops them in its own time: wait for its state, not a fixed delay
while [ "$(batch_stat states.RUNNING)" != 0 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
same "$(batch_stat states.RUNNING)" 0 "no job runs on Batch any more"
grep -q "cancelled" int/run.out
check $? "krait says the jobs were cancelled"
i=0
while ps -eo args | grep -q "[s]leep 61.7" && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
ps -eo args | grep -q "[s]leep 61.7"
check $(( $? == 0 )) "no job process is left on the host"

# --detach, then a later run re-adopts
sweep det 2
s0=$(batch_stat requests.SubmitJob)
(cd det && krait_batch -j 6 --detach > run1.out 2>&1)
check $? "--detach submits and exits"
same "$(($(batch_stat requests.SubmitJob) - s0))" 6 "the six jobs were submitted"
[ ! -e det/o/0.txt ]
check $? "krait exited before the jobs finished"
(cd det && krait_batch -j 6 > run2.out 2>&1)
check $? "a later run finishes the detached jobs"
same "$(($(batch_stat requests.SubmitJob) - s0))" 6 "... without submitting them again"
same "$(cat det/o/*.txt | sort | tr '\n' ' ')" "0 1 2 3 4 5 " "... and their outputs are there"

# SIGKILL, then a rerun: nothing is submitted twice
sweep kil 3
s0=$(batch_stat requests.SubmitJob)
a0=$(batch_stat attempts_started)
(cd kil && exec "$KR_BUILDDIR/krait" run --executor aws-batch --aws-batch-queue krait-test \
    --aws-batch-endpoint-url "$BATCH_ENDPOINT" --executor-arg aws-batch-poll-min=0.2 \
    --executor-arg aws-batch-poll-max=0.5 --executor-arg aws-batch-array=0 -j 6 \
    > run1.out 2>&1) &
kpid=$!
i=0
while [ $(($(batch_stat requests.SubmitJob) - s0)) -lt 6 ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
sleep 0.3
kill -9 $kpid
wait $kpid 2>/dev/null
same "$(($(batch_stat requests.SubmitJob) - s0))" 6 "six jobs were submitted one by one before SIGKILL"
(cd kil && krait_batch -j 6 > run2.out 2>&1)
check $? "the rerun after SIGKILL succeeds"
same "$(($(batch_stat requests.SubmitJob) - s0))" 6 "nothing was submitted twice"
same "$(($(batch_stat attempts_started) - a0))" 6 "each job ran once"
same "$(cat kil/o/*.txt | sort | tr '\n' ' ')" "0 1 2 3 4 5 " "the outputs are there"
echo "1..$n"
