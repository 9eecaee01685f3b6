#!/bin/sh
# t1211: outputs over S3's 5 GiB single-request limit under presigned
# staging. The limit and the part size are made small here
# (KRAIT_PRESIGN_PUT_MAX=1 MiB, KRAIT_PRESIGN_PART_SIZE=5 MiB, S3's smallest
# part): a 12 MiB output goes up from the job as three part objects through
# its presigned POST form, then an end marker; krait, finding no object
# under the output's key, has S3 assemble it from the parts (UploadPartCopy,
# which the proxy does over s3rver), checks it and deletes the parts. The
# same for a big file in a directory() output. An older attempt's complete
# parts and a newer incomplete group are not taken; a failed assembly
# leaves no object under the key (the multipart upload is aborted) and a
# rerun repairs it; so does a rerun after krait was killed (SIGKILL) while
# S3 assembled, aborting the journaled upload.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
s3_tap
export KRAIT_PRESIGN_PUT_MAX=1048576 KRAIT_PRESIGN_PART_SIZE=5242880
md5of() { rm -f "$T/got"; "$D" -e "$S3_ENDPOINT" get "$1" "$T/got" >/dev/null 2>&1 && md5sum < "$T/got" | cut -c1-32; }
sizeof() { rm -f "$T/got"; "$D" -e "$S3_ENDPOINT" get "$1" "$T/got" >/dev/null 2>&1 && wc -c < "$T/got" | tr -d ' '; }
nparts() { "$D" -e "$S3_ENDPOINT" ls s3://bkt/ 2>/dev/null | grep -c 'krait-part'; }
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "s3://bkt/big/out.bin", "s3://bkt/big/dir"
rule big:
    output: "s3://bkt/big/out.bin", "s3://bkt/big/out.md5"
    shell: "head -c 12582912 /dev/urandom > {output[0]}; md5sum < {output[0]} | cut -c1-32 > {output[1]}"
rule dir:
    output: directory("s3://bkt/big/dir")
    shell: "mkdir -p {output}; head -c 7340032 /dev/urandom > {output}/big.dat; echo hi > {output}/small.txt; md5sum < {output}/big.dat | cut -c1-32 > {output}/big.md5"
EOS
run() { "$KRAIT" run -c 2 --s3-endpoint-url "${EP:-$S3_ENDPOINT}" --storage-staging presigned "$@"; }
t "a job with a 12 MiB output (limit 1 MiB) runs under presigned staging" \
  'run >../run1.out 2>&1 && grep -q "3 of 3 jobs done" ../run1.out'
t "the output in S3 is the job's file, whole (MD5 and size)" \
  '[ "$(md5of s3://bkt/big/out.bin)" = "$(md5of s3://bkt/big/out.md5 >/dev/null; cat "$T/got")" ] &&
   [ "$(sizeof s3://bkt/big/out.bin)" = 12582912 ]'
t "it went up as 3 parts through the form, then the end marker" \
  '[ "$(grep -c "^POST /bkt key=big/out.bin.krait-part.[0-9a-f]\{16\}\.0000[123] -> 204" ../proxy.log)" = 3 ] &&
   grep -q "^POST /bkt key=big/out.bin.krait-part.[0-9a-f]\{16\}\.done-3-12582912 -> 204" ../proxy.log'
t "krait assembled it with 3 UploadPartCopy and one Complete" \
  '[ "$(grep -c "^PUT /bkt/big/out.bin?partNumber=[123]&uploadId=.* UploadPartCopy" ../proxy.log)" = 3 ] &&
   grep -q "^POST /bkt/big/out.bin?uploadId=[^ ]* -> 200" ../proxy.log'
t "the small output went by one PUT" \
  'grep -q "^PUT /bkt/big/out.md5?X-Amz-Algorithm=.* -> 200" ../proxy.log'
t "the big file of the directory() output was assembled too" \
  '[ "$(md5of s3://bkt/big/dir/big.dat)" = "$(md5of s3://bkt/big/dir/big.md5 >/dev/null; cat "$T/got")" ] &&
   [ "$(keys s3://bkt/big/dir/)" = "big/dir/.snakemake_timestamp big/dir/big.dat big/dir/big.md5 big/dir/small.txt " ]'
t "no part object is left in the bucket" '[ "$(nparts)" = 0 ]'
t "a second run has nothing to do" \
  'run >../run2.out 2>&1 && grep -qi "nothing to be done\|nothing to do" ../run2.out'
# an older attempt's complete parts (zeros) and a newer group without its
# end marker: neither may become the output
head -c 5242880 /dev/zero > "$T/zero5"
"$D" -e "$S3_ENDPOINT" put s3://bkt/big/out.bin.krait-part.0000000000001000.00001 "$T/zero5" >/dev/null 2>&1
: > "$T/empty"
"$D" -e "$S3_ENDPOINT" put s3://bkt/big/out.bin.krait-part.0000000000001000.done-1-5242880 "$T/empty" >/dev/null 2>&1
"$D" -e "$S3_ENDPOINT" put s3://bkt/big/out.bin.krait-part.fffffffffffff000.00001 "$T/zero5" >/dev/null 2>&1
t "seeded: 3 stale part objects" '[ "$(nparts)" = 3 ]'
t "a forced rerun takes its own parts, not an older complete or a newer incomplete group" \
  'run -R big >../run3.out 2>&1 && grep -q "1 of 1 jobs done\|2 of 2 jobs done" ../run3.out &&
   [ "$(md5of s3://bkt/big/out.bin)" = "$(md5of s3://bkt/big/out.md5 >/dev/null; cat "$T/got")" ] &&
   [ "$(sizeof s3://bkt/big/out.bin)" = 12582912 ]'
t "... and deleted every part object of the output, the stale ones too" '[ "$(nparts)" = 0 ]'
# a second proxy in front of the same s3rver fails the copy of part 2
fport=$(s3_free_port)
PROXY_ACCESS_KEY=$AWS_ACCESS_KEY_ID PROXY_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
    python3 "$KR_SRCDIR/tests/s3/sigv4-proxy.py" --listen "$fport" \
    --upstream "$S3_DIRECT" --log "$T/fproxy.log" --fail-match '^PUT /bkt/big/out\.bin\?partNumber=2&' \
    >"$T/fproxy.out" 2>&1 &
S3_PIDS="$S3_PIDS $!"
s3_wait_port "$fport"
t "an assembly that fails fails the job, naming the object and S3's answer" \
  '! EP=http://127.0.0.1:$fport run -R big >../run4.out 2>&1 &&
   grep -q "s3://bkt/big/out.bin?partNumber=2.*HTTP 500 InternalError" ../run4.out'
t "... and aborted its multipart upload (s3rver answers AbortMultipartUpload with 405: it does not implement it)" \
  'grep -q "^DELETE /bkt/big/out.bin?uploadId=[^ ]* -> " "$T/fproxy.log"'
t "no object is under the key (the job deleted the old one before its parts; nothing partial replaced it)" \
  '! keys s3://bkt/big/ | tr " " "\n" | grep -qx big/out.bin'
t "a rerun repairs it" \
  'run >../run5.out 2>&1 && [ "$(md5of s3://bkt/big/out.bin)" = "$(md5of s3://bkt/big/out.md5 >/dev/null; cat "$T/got")" ] &&
   [ "$(nparts)" = 0 ]'
# krait killed (SIGKILL) while S3 assembles: the proxy holds the copy of part 2
sport=$(s3_free_port)
PROXY_ACCESS_KEY=$AWS_ACCESS_KEY_ID PROXY_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
    python3 "$KR_SRCDIR/tests/s3/sigv4-proxy.py" --listen "$sport" \
    --upstream "$S3_DIRECT" --log "$T/sproxy.log" --stall-seconds 120 \
    --stall-match '^PUT /bkt/big/out\.bin\?partNumber=2&' >"$T/sproxy.out" 2>&1 &
S3_PIDS="$S3_PIDS $!"
s3_wait_port "$sport"
"$KRAIT" run -c 2 --s3-endpoint-url "http://127.0.0.1:$sport" --storage-staging presigned -R big \
    >../run6.out 2>&1 &
kpid=$!
i=0; while [ $i -lt 300 ] && ! grep -q "stalling" "$T/sproxy.log" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
kill -9 $kpid 2>/dev/null; wait $kpid 2>/dev/null
stalled=$(sed -n 's/^PUT [^?]*?partNumber=2&uploadId=\([^ ]*\) -> stalling.*/\1/p' "$T/sproxy.log" | head -n 1)
t "killed while S3 assembled the output: no object under its key" \
  '[ -n "$stalled" ] && ! keys s3://bkt/big/ | tr " " "\n" | grep -qx big/out.bin'
t "... and the unfinished multipart upload is journaled" \
  'grep -qx "$stalled" .krait/storage/s3.uploads/*.upload'
: > ../proxy.log
t "the next run aborts it, reruns the job and assembles the output whole" \
  'run >../run7.out 2>&1 && grep -q "^DELETE /bkt/big/out.bin?uploadId=$stalled -> " ../proxy.log &&
   [ -z "$(ls .krait/storage/s3.uploads 2>/dev/null)" ] &&
   [ "$(md5of s3://bkt/big/out.bin)" = "$(md5of s3://bkt/big/out.md5 >/dev/null; cat "$T/got")" ] &&
   [ "$(nparts)" = 0 ]'
[ $fail = 0 ] || { for f in ../run4.out ../run6.out ../run7.out "$T/sproxy.log"; do echo "# == $f"; tail -15 "$f" | sed "s/^/#   /"; done; }
echo "1..$n"
exit $fail
