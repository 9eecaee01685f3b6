# s3-lib.sh - sourced by the S3 tests: enter a fresh temporary directory
# (removed on exit), start s3rver (tests/s3/setup-s3rver.sh
# installs it from npm into a cache on first use) and tests/s3/sigv4-proxy.py
# in front of it, both on loopback ports of their own; stop both on exit.
#   s3_up BUCKET [proxy options...]
# Returns 0 when both run, with S3_ENDPOINT (the proxy's URL), S3_DIRECT (s3rver's)
# and the AWS_* credentials exported; otherwise prints "1..0 # SKIP reason"
# and returns 1. The proxy log is ./proxy.log.
#   s3_tap: after s3_up, the helpers most S3 tests share: D (the s3_drive
# client), T (this directory), the TAP counter t "NAME" 'CHECK', get S3URL
# (the object's content) and keys S3PREFIX (its keys, sorted, on one line).
S3_PIDS=
S3_TMP=$(mktemp -d)
cd "$S3_TMP" || exit 1
s3_down() { for p in $S3_PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap 's3_down; rm -rf "$S3_TMP"' EXIT
s3_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
s3_wait_port() {  # PORT: up to 20 s
    i=0
    while [ $i -lt 200 ]; do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
        sleep 0.1; i=$((i+1))
    done
    return 1
}
s3_up() {
    bucket=$1; shift
    if ! command -v node >/dev/null 2>&1; then
        echo "1..0 # SKIP node is not installed (apt-get install nodejs npm)"; return 1
    fi
    if ! python3 -c 'import botocore' 2>/dev/null; then
        echo "1..0 # SKIP python3-botocore is not installed"; return 1
    fi
    if ! s3rver=$("$KR_SRCDIR/tests/s3/setup-s3rver.sh" 2>s3rver-setup.err); then
        echo "1..0 # SKIP s3rver cannot be installed: $(tail -1 s3rver-setup.err)"; return 1
    fi
    sport=$(s3_free_port); pport=$(s3_free_port)
    mkdir -p s3data
    # s3rver 3.7.1 makes ListObjectsV2 continuation tokens with DES, which
    # OpenSSL 3 (node >= 17) refuses unless the legacy provider is loaded:
    # without it every truncated listing answers 500
    node --openssl-legacy-provider "$(readlink -f "$s3rver")" -d "$PWD/s3data" -a 127.0.0.1 -p "$sport" -s --no-vhost-buckets \
        --configure-bucket "$bucket" >s3rver.log 2>&1 &
    S3_PIDS="$S3_PIDS $!"
    # s3rver knows the access key S3RVER and checks no SigV4 signature; the
    # proxy checks every signature against this secret
    export AWS_ACCESS_KEY_ID=S3RVER
    export AWS_SECRET_ACCESS_KEY='kr/aitTest+Secret0123456789ABCDEFGHIJKLMN'
    export AWS_REGION=us-east-1
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
    PROXY_ACCESS_KEY=$AWS_ACCESS_KEY_ID PROXY_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
    PROXY_SESSION_TOKEN=${S3_TEST_TOKEN:-} \
        python3 "$KR_SRCDIR/tests/s3/sigv4-proxy.py" --listen "$pport" \
        --upstream "http://127.0.0.1:$sport" --log "$PWD/proxy.log" "$@" >proxy.out 2>&1 &
    S3_PIDS="$S3_PIDS $!"
    if ! s3_wait_port "$sport"; then
        echo "1..0 # SKIP s3rver did not start: $(tail -1 s3rver.log)"; return 1
    fi
    if ! s3_wait_port "$pport"; then
        echo "Bail out! the SigV4 proxy did not start: $(tail -3 proxy.out)"; exit 1
    fi
    S3_ENDPOINT=http://127.0.0.1:$pport
    S3_DIRECT=http://127.0.0.1:$sport
    export S3_ENDPOINT S3_DIRECT
    return 0
}

s3_tap() {
    D="$KR_BUILDDIR/tests/unit/s3_drive"
    T=$PWD
    n=0; fail=0
    t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
    get() { rm -f "$T/got"; "$D" -e "$S3_ENDPOINT" get "$1" "$T/got" >/dev/null 2>&1 && cat "$T/got"; }
    keys() { "$D" -e "$S3_ENDPOINT" ls "$1" 2>/dev/null | sed 's/ [0-9]* [0-9a-f-]*$//' | sort | tr '\n' ' '; }
}
