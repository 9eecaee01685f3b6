#!/bin/sh
# t1201: the S3 client (src/s3.c via tests/unit/s3_drive) against s3rver behind
# the SigV4-verifying proxy: every request it sends carries a signature that
# botocore accepts; put/head/get/list/delete, odd keys, krait's mtime metadata,
# pagination, multipart upload, presigned GET/PUT (tampered and expired ones
# refused), and one-line errors for a wrong secret, a missing bucket or object
# and an unreachable endpoint, none containing the secret.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
drive() { "$D" -e "$S3_ENDPOINT" "$@"; }

printf 'hello s3\n' > a.txt
touch -d '2024-01-02 03:04:05.123456789' a.txt
t "put" 'drive put s3://bkt/dir/a.txt a.txt 2>err'
t "head: size, etag = md5, mtime from x-amz-meta-krait-mtime" \
  'drive head s3://bkt/dir/a.txt >out 2>/dev/null &&
   grep -q "size=9 etag=$(md5sum a.txt | cut -c1-32) mtime_ns=1704164645123456789 krait_mtime=1" out'
t "get round trip" 'drive get s3://bkt/dir/a.txt b.txt >/dev/null 2>&1 && cmp -s a.txt b.txt && [ ! -e b.txt.part ]'
t "head of a missing object says missing" 'drive head s3://bkt/nope >out 2>/dev/null && grep -qx missing out'
t "every request so far passed the signature check" '! grep -q " -> 40[03]" proxy.log'

printf 'odd\n' > odd.txt
t "key with spaces and reserved characters" \
  'drive put "s3://bkt/we ird/k+e=y\$(1)&~.txt" odd.txt 2>/dev/null &&
   drive get "s3://bkt/we ird/k+e=y\$(1)&~.txt" odd2.txt >/dev/null 2>&1 && cmp -s odd.txt odd2.txt'

i=0; while [ $i -lt 23 ]; do echo "$i" > f; drive put "s3://bkt/many/o$i" f 2>/dev/null || echo putfail; i=$((i+1)); done > putlog
t "23 small puts" '[ ! -s putlog ]'
: > proxy.log
t "list with 10 keys per page: 23 objects, 3 list requests" \
  'drive -k 10 ls s3://bkt/many/ >out 2>/dev/null && [ $(wc -l <out) = 23 ] && grep -q "^many/o22 3 " out &&
   [ $(grep -c "GET /bkt?" proxy.log) = 3 ]'
t "list of another prefix sees only its objects" 'drive ls s3://bkt/dir/ >out 2>/dev/null && [ "$(cut -d" " -f1 out)" = dir/a.txt ]'
t "delete, then head says missing" 'drive rm s3://bkt/many/o0 2>/dev/null && drive head s3://bkt/many/o0 2>/dev/null | grep -qx missing'
t "delete of a missing object is fine" 'drive rm s3://bkt/many/o0 2>/dev/null'

head -c 3300000 /dev/urandom > big.bin
: > proxy.log
t "multipart upload (1 MiB parts above 1 MiB): 4 parts" \
  'drive -t 1048576 -p 1048576 put s3://bkt/big.bin big.bin 2>err &&
   [ $(grep -c "^PUT /bkt/big.bin?partNumber=" proxy.log) = 4 ] && grep -q "^POST /bkt/big.bin?uploads" proxy.log'
t "multipart object reads back equal" 'drive get s3://bkt/big.bin big2.bin >/dev/null 2>&1 && cmp -s big.bin big2.bin'
: > proxy.log
t "ranged download (1 MiB ranges): the first answer tells the size, 3 more ranges; equal" \
  'drive -p 1048576 get s3://bkt/big.bin big3.bin >/dev/null 2>&1 && cmp -s big.bin big3.bin &&
   [ "$(grep -c "^GET /bkt/big.bin -> 206 range=bytes=" proxy.log)" = 4 ] &&
   grep -q "^GET /bkt/big.bin -> 206 range=bytes=3145728-3299999$" proxy.log && [ ! -e big3.bin.part ]'
: > empty.bin
drive put s3://bkt/empty.bin empty.bin >/dev/null 2>&1
t "an empty object: the range is refused (416), then fetched whole" \
  'drive get s3://bkt/empty.bin empty2.bin >/dev/null 2>&1 && [ -e empty2.bin ] && [ ! -s empty2.bin ]'

url=$(drive presign GET s3://bkt/dir/a.txt 300 2>/dev/null)
t "presigned GET with plain curl" 'curl -sf "$url" -o p.txt && cmp -s a.txt p.txt'
t "presigned URL holds no secret" '! printf %s "$url" | grep -qF "$AWS_SECRET_ACCESS_KEY"'
bad=$(printf %s "$url" | sed 's/X-Amz-Signature=./X-Amz-Signature=0/')
[ "$bad" = "$url" ] && bad=$(printf %s "$url" | sed 's/X-Amz-Signature=./X-Amz-Signature=1/')
t "tampered presigned URL refused (403)" '[ "$(curl -s -o /dev/null -w "%{http_code}" "$bad")" = 403 ]'
other=$(printf %s "$url" | sed 's#/dir/a.txt#/dir/b.txt#')
t "presigned URL for another key refused" '[ "$(curl -s -o /dev/null -w "%{http_code}" "$other")" = 403 ]'
purl=$(drive presign PUT s3://bkt/up/x.txt 300 2>/dev/null)
printf 'via presigned put\n' > x.txt
t "presigned PUT with plain curl" 'curl -sf -T x.txt "$purl" && drive get s3://bkt/up/x.txt x2.txt >/dev/null 2>&1 && cmp -s x.txt x2.txt'
eurl=$(drive presign GET s3://bkt/dir/a.txt 1 2>/dev/null)
sleep 2
t "expired presigned URL refused (403)" '[ "$(curl -s -o /dev/null -w "%{http_code}" "$eurl")" = 403 ]'

t "wrong secret: one-line SignatureDoesNotMatch error with advice, no secret" \
  '! AWS_SECRET_ACCESS_KEY=wrongwrongwrong "$D" -e "$S3_ENDPOINT" get s3://bkt/dir/a.txt w.txt >/dev/null 2>err &&
   grep -q "S3 GET s3://bkt/dir/a.txt: HTTP 403 SignatureDoesNotMatch.*check the access key" err &&
   ! grep -q wrongwrongwrong err && [ ! -e w.txt ] && [ ! -e w.txt.part ]'
t "missing bucket: NoSuchBucket and what to do" \
  '! drive put s3://nobucket/k a.txt 2>err && grep -q "S3 PUT s3://nobucket/k: HTTP 404 NoSuchBucket.*create the bucket" err'
t "missing object on get: says it does not exist" \
  '! drive get s3://bkt/nope n.txt 2>err >/dev/null && grep -q "S3 GET s3://bkt/nope: HTTP 404 NoSuchKey.*does not exist" err && [ ! -e n.txt ]'
t "unreachable endpoint: names it, retries, says what to check" \
  '! "$D" -e http://127.0.0.1:1 -a 3 head s3://bkt/k 2>err >/dev/null &&
   grep -q "cannot reach http://127.0.0.1:1.*after 3 attempts.*--s3-endpoint-url" err && grep -q "requests=3 retries=2" err'
t "AWS_ENDPOINT_URL_S3 is used when no endpoint is given" \
  'AWS_ENDPOINT_URL_S3=$S3_ENDPOINT "$D" head s3://bkt/dir/a.txt 2>/dev/null | grep -q "^size=9"'
t "not an s3 URL: usage error" '! drive head http://x/y 2>err && grep -q "not an s3://bucket/key URL" err'
echo "1..$n"
exit $fail
