#!/bin/sh
# t1405: the CloudWatch Logs reader of src/batch-api.c (tests/unit/
# logs_drive) against tests/batch/fake_batch.py, which checks the SigV4
# signature (service "logs", X-Amz-Target signed), the session token and
# the body against botocore's logs model: a stream of several pages comes
# back whole and in order, a missing stream is an error naming it, no
# session token is refused, MAX cuts the output.
. "$KR_SRCDIR/tests/e2e/tap.sh"
. "$KR_SRCDIR/tests/e2e/batch-lib.sh"
export FAKE_BATCH_LOG_PAGE=10
batch_up || exit 0
D="$KR_BUILDDIR/tests/unit/logs_drive"
G=/aws/batch/job
S=krait-abc/default/0123456789abcdef

i=1
: > want
while [ $i -le 25 ]; do
    printf 'line %d of the job\n' $i >> "$BATCH_FAKE/logs/krait-abc_default_0123456789abcdef"
    printf 'line %d of the job\n' $i >> want
    [ $i = 12 ] && echo >> "$BATCH_FAKE/logs/krait-abc_default_0123456789abcdef"
    i=$((i+1))
done

"$D" "$BATCH_ENDPOINT" $G $S > got 2> err
check $? "a stream of 3 pages is read (signature and session token accepted)"
cmp -s want got
check $? "... whole and in order, empty lines skipped"
grep -q "^get_log_events 4$" err
check $? "... in 4 GetLogEvents (3 pages, then the token comes back)"
same "$(batch_stat requests.GetLogEvents)" 4 "the fake counted 4 GetLogEvents"

"$D" "$BATCH_ENDPOINT" $G krait-abc/default/nosuch > got 2> err
[ $? = 1 ]; check $? "a missing stream fails"
grep -q "CloudWatch Logs GetLogEvents: HTTP 400 ResourceNotFoundException" err &&
    grep -q "krait-abc/default/nosuch" err
check $? "... naming the call, the error and the stream"

"$D" "$BATCH_ENDPOINT" /other/group $S > got 2> err
[ $? = 1 ]; check $? "an unknown group fails"

(unset AWS_SESSION_TOKEN; "$D" "$BATCH_ENDPOINT" $G $S > got 2> err)
[ $? = 1 ]; check $? "without the session token the fake refuses the request"
grep -q "UnrecognizedClientException" err
check $? "... as AWS does"

"$D" "$BATCH_ENDPOINT" $G $S 100 > got 2> err
grep -q "^cut$" err && [ "$(wc -c < got)" -le 100 ] && [ -s got ]
check $? "at most MAX bytes, and it says it was cut"

if grep -qF "$AWS_SECRET_ACCESS_KEY" got err || grep -rqF "$AWS_SESSION_TOKEN" got err; then
    check 1 "no secret in the outputs"
else
    check 0 "no secret in the outputs"
fi
echo "1..$n"
