#!/bin/sh
# t1202: the S3 client under faults. Through the proxy at a 30% fault rate
# (500, 503 SlowDown, connection resets, truncated bodies, 500 after the
# upstream did the work) every put and get completes and every object reads
# back byte-identical; a multipart upload whose part keeps failing ends in an
# error naming the part, an AbortMultipartUpload, and no object under the key;
# a server clock 2 hours ahead (RequestTimeTooSkewed) is followed.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt --fault-rate 0.3 --seed 12 || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
drive() { "$D" -e "$S3_ENDPOINT" -a 10 -t 1048576 -p 524288 "$@"; }

i=0; : > errs
while [ $i -lt 12 ]; do
    if [ $i -lt 3 ]; then head -c $((1300000 + i)) /dev/urandom > f$i; else head -c $((i * 997)) /dev/urandom > f$i; fi
    drive put s3://bkt/f/f$i f$i 2>>errs || echo "put f$i failed" >> errs
    i=$((i+1))
done
t "12 puts (3 multipart) complete under 30% faults" '! grep -q failed errs'
: > gerrs
for round in 1 2 3; do
    i=0
    while [ $i -lt 12 ]; do
        rm -f g$i
        drive get s3://bkt/f/f$i g$i >/dev/null 2>>gerrs || echo "get f$i failed" >> gerrs
        cmp -s f$i g$i || echo "f$i differs" >> gerrs
        i=$((i+1))
    done
done
t "3 x 12 gets complete, every object byte-identical to its source" '! grep -q "failed\|differs" gerrs'
t "no .part file left" '[ -z "$(ls *.part 2>/dev/null)" ]'
t "faults of every kind were injected" \
  '(for k in "500 fault" "503 fault" reset "truncate fault" after500; do grep -q -- "-> $k" proxy.log || exit 1; done)'
t "retries happened" 'grep -q "retries=[1-9]" errs gerrs'
t "checksums agree with what s3rver stored (direct listing)" \
  '(for i in 3 4 5 6 7 8 9 10 11; do curl -s "$S3_DIRECT/bkt/f/f$i" | cmp -s - f$i || exit 1; done)'

# a second proxy: part 2 of any multipart upload always fails; its clock is 2 h ahead
s3_down; S3_PIDS=
rm -rf s3data
s3_up bkt --fail-match 'partNumber=2&' --skew 7200 || exit 0
: > proxy.log
head -c 1600000 /dev/urandom > m.bin
t "multipart with a failing part: one-line error naming the part" \
  '! "$D" -e "$S3_ENDPOINT" -a 2 -t 1048576 -p 524288 put s3://bkt/m.bin m.bin 2>err &&
   grep -q "S3 PUT s3://bkt/m.bin?partNumber=2&uploadId=.*HTTP 500 InternalError.*rerun later" err'
t "the upload was aborted (DELETE ?uploadId)" 'grep -q "^DELETE /bkt/m.bin?uploadId=" proxy.log'
t "no object under the key" '"$D" -e "$S3_ENDPOINT" head s3://bkt/m.bin 2>/dev/null | grep -qx missing'
t "RequestTimeTooSkewed: the server's clock is taken and the request succeeds" \
  'grep -q "RequestTimeTooSkewed\|-> 403 The difference" proxy.log && "$D" -e "$S3_ENDPOINT" head s3://bkt/m.bin >/dev/null 2>&1'
echo "1..$n"
exit $fail
