# batch-lib.sh - sourced by the AWS Batch tests: enter a fresh temporary
# directory (removed on exit), start tests/batch/fake_batch.py (Debian's
# /usr/bin/python3 with python3-botocore) on a free loopback port, stop it
# on exit.
#   batch_up [fake options...]   knobs through FAKE_BATCH_* in the environment
# Returns 0 when the fake runs, with BATCH_ENDPOINT, BATCH_FAKE (its
# directory: record.jsonl, logs/) and AWS_* credentials (with a session
# token) exported; otherwise prints "1..0 # SKIP reason" and returns 1.
# With BATCH_CREDS=env the fake takes the AWS_* credentials already exported
# (one account for S3 and Batch, as t1404 needs) instead of its own.
#   batch_stat PATH      one figure of GET /__stats ("requests.SubmitJob")
#   batch_control JSON   POST /__control (set knobs)
#   krait_batch ARGS...  krait run with the aws-batch executor, fast polls
BATCH_PY=/usr/bin/python3
BATCH_PID=
BATCH_TMP=$(mktemp -d)
cd "$BATCH_TMP" || exit 1
batch_down() { [ -n "$BATCH_PID" ] && kill "$BATCH_PID" 2>/dev/null; wait 2>/dev/null; }
trap 'batch_down; rm -rf "$BATCH_TMP"' EXIT
batch_up() {
    if [ ! -x "$BATCH_PY" ] || ! "$BATCH_PY" -c 'import botocore.validate, botocore.auth' 2>/dev/null; then
        echo "1..0 # SKIP Debian's python3-botocore is not installed (apt-get install python3-botocore)"
        return 1
    fi
    BATCH_FAKE=$BATCH_TMP/fake
    mkdir -p "$BATCH_FAKE"
    if [ "${BATCH_CREDS:-}" != env ]; then
        export AWS_ACCESS_KEY_ID=AKIAKRAITBATCHTEST01
        export AWS_SECRET_ACCESS_KEY='kr/aitBatch+Secret0123456789ABCDEFGHIJKL'
        export AWS_SESSION_TOKEN='FwoGZXIvYXdzKRAITsessionTOKEN/with+chars=='
    fi
    export AWS_REGION=us-east-1
    unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_BATCH AWS_DEFAULT_REGION
    FAKE_BATCH_ACCESS_KEY=$AWS_ACCESS_KEY_ID FAKE_BATCH_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
    FAKE_BATCH_SESSION_TOKEN=${AWS_SESSION_TOKEN:-} \
        "$BATCH_PY" "$KR_SRCDIR/tests/batch/fake_batch.py" --port-file "$BATCH_FAKE/port" \
        --record "$BATCH_FAKE/record.jsonl" --logs "$BATCH_FAKE/logs" "$@" \
        >"$BATCH_FAKE/out" 2>&1 &
    BATCH_PID=$!
    i=0
    while [ ! -s "$BATCH_FAKE/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
    if [ ! -s "$BATCH_FAKE/port" ]; then
        echo "Bail out! the fake AWS Batch did not start: $(tail -3 "$BATCH_FAKE/out")"; exit 1
    fi
    BATCH_ENDPOINT=http://127.0.0.1:$(cat "$BATCH_FAKE/port")
    export BATCH_ENDPOINT BATCH_FAKE
    return 0
}
batch_stat() {
    "$BATCH_PY" -c '
import json, sys, urllib.request
v = json.load(urllib.request.urlopen(sys.argv[1] + "/__stats"))
for k in sys.argv[2].split("."):
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$BATCH_ENDPOINT" "$1"
}
batch_control() {
    "$BATCH_PY" -c '
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__control", data=sys.argv[2].encode(), method="POST")).read()' "$BATCH_ENDPOINT" "$1"
}
krait_batch() {
    "$KR_BUILDDIR/krait" run --executor aws-batch --aws-batch-queue krait-test \
        --aws-batch-endpoint-url "$BATCH_ENDPOINT" --executor-arg aws-logs-endpoint-url="$BATCH_ENDPOINT" \
        --executor-arg aws-batch-poll-min=0.2 --executor-arg aws-batch-poll-max=0.5 "$@"
}
