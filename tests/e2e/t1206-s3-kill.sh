#!/bin/sh
# t1206: krait killed with SIGKILL while it uploads a large output in parts
# (multipart, 1 MiB parts) leaves no object - not even a partial one - under
# the output's key; the upload was journaled, and the next `krait run`
# aborts it (AbortMultipartUpload), reruns the job and ends with the
# complete object (right size and content) and nothing left to do.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
export KRAIT_S3_MULTIPART_THRESHOLD=1048576 KRAIT_S3_PART_SIZE=1048576
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "s3://bkt/out/big.bin"
rule big:
    output: "s3://bkt/out/big.bin"
    shell: "head -c 67108864 /dev/urandom > {output}"
EOS
: > ../proxy.log
"$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" >../run1.out 2>&1 &
pid=$!
i=0   # wait (up to 60 s) until some parts have arrived, then kill krait
while [ $i -lt 600 ] && [ "$(grep -c '^PUT /bkt/out/big.bin?partNumber=' ../proxy.log)" -lt 3 ]; do
    sleep 0.1; i=$((i+1))
done
kill -9 $pid; wait $pid 2>/dev/null
t "krait was killed in the middle of the multipart upload" \
  'grep -q "^POST /bkt/out/big.bin?uploads" ../proxy.log && ! grep -q "^POST /bkt/out/big.bin?uploadId=" ../proxy.log'
t "no object (not even a partial one) under the output's key" \
  '"$D" -e "$S3_ENDPOINT" head s3://bkt/out/big.bin 2>/dev/null | grep -qx missing &&
   [ -z "$("$D" -e "$S3_ENDPOINT" ls s3://bkt/out/ 2>/dev/null)" ]'
t "the unfinished upload is journaled (bucket, key, upload id)" \
  'j=$(ls .krait/storage/s3.uploads/*.upload) && [ $(echo "$j" | wc -l) = 1 ] &&
   [ "$(sed -n 1,2p $j | tr "\n" " ")" = "bkt out/big.bin " ] && uid=$(sed -n 3p $j) && [ -n "$uid" ]'
t "the job is planned again" \
  '"$KRAIT" run -n --s3-endpoint-url "$S3_ENDPOINT" 2>&1 | grep -q "^rule big"'
: > ../proxy.log
t "the rerun completes" '"$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" >../run2.out 2>&1'
t "the rerun aborted the killed run's upload and says so" \
  'grep -q "^DELETE /bkt/out/big.bin?uploadId=$(echo "$uid" | sed "s/[^A-Za-z0-9]/./g")" ../proxy.log &&
   grep -q "aborted 1 unfinished multipart upload of an interrupted run" ../run2.out &&
   [ -z "$(ls .krait/storage/s3.uploads/)" ]'
t "the object is complete: its size and content are the job's output" \
  '"$D" -e "$S3_ENDPOINT" get s3://bkt/out/big.bin ../got.bin >/dev/null 2>&1 &&
   [ $(stat -c %s ../got.bin) = 67108864 ] && cmp -s ../got.bin .krait/storage/s3/bkt/out/big.bin &&
   grep -q "^POST /bkt/out/big.bin?uploadId=.* -> 200" ../proxy.log'
t "then nothing is left to do" \
  '"$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" 2>&1 | grep -qi "nothing to be done\|nothing to do"'
echo "1..$n"
exit $fail
