#!/bin/sh
# t1200: krait's SigV4 header signatures and presigned URLs equal botocore's
# (an independent implementation) for the same requests, with and without a
# session token. The fixed AWS test vectors are in tests/unit/test_aws.c.
if ! python3 -c 'import botocore' 2>/dev/null; then
    echo "1..0 # SKIP python3-botocore is not installed (apt-get install python3-botocore)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export AWS_ACCESS_KEY_ID=AKIAKRAITTEST0000001
export AWS_SECRET_ACCESS_KEY='kr/ait+Secret/Key0123456789abcdefghijklmn'
unset AWS_SESSION_TOKEN AWS_PROFILE
python3 "$KR_SRCDIR/tests/s3/botocore_check.py" "$KR_BUILDDIR/tests/unit/aws_sign" | sed '/^1\.\./d' > out1 || rc1=1
export AWS_SESSION_TOKEN='FwoGZXIvYXdzEXAMPLE/token+with=chars'
python3 "$KR_SRCDIR/tests/s3/botocore_check.py" "$KR_BUILDDIR/tests/unit/aws_sign" | sed '/^1\.\./d' > out2 || rc2=1
# renumber both runs into one TAP stream
cat out1 out2 | awk '/^(not )?ok /{ n++; sub(/^(not )?ok [0-9]+/, ($1=="not" ? "not ok " : "ok ") n) } { print } END { print "1.." n }'
rm -f out1 out2
[ -z "${rc1}${rc2}" ]
