#!/bin/sh
# t1212: the progress of long S3 transfers. krait moves a job's s3://
# files in its own loop (shared staging); a transfer that runs over a second
# shows on the live line what it moves, how much and how fast, and without a
# terminal as a line every KRAIT_PROGRESS_EVERY seconds (10 by default). The
# proxy stalls the transfers (--stall-match) to make them long; the live line
# is read from a terminal made by script(1). A big input comes in ranges, all
# at once.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt --stall-match '^(PUT /bkt/prog/out\.bin|GET /bkt/prog/in\.bin)' --stall-seconds 2.5 || exit 0
s3_tap
command -v script >/dev/null 2>&1 || { echo "1..0 # SKIP script(1) is not installed (bsdutils)"; exit 0; }
head -c 3145728 /dev/zero > in.bin
"$D" -e "$S3_ENDPOINT" put s3://bkt/prog/in.bin in.bin >/dev/null 2>&1
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "s3://bkt/prog/out.bin", "s3://bkt/prog/size.txt"
rule big:
    output: "s3://bkt/prog/out.bin"
    shell: "head -c 3145728 /dev/zero > {output}"
rule size:
    input: "s3://bkt/prog/in.bin"
    output: "s3://bkt/prog/size.txt"
    shell: "wc -c < {input} > {output}"
EOS
cat > run.sh <<EOS
exec "$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" big
EOS
t "a job's upload through a terminal" \
  'script -qfec "sh run.sh" ../typescript >/dev/null 2>&1 && grep -q "1 of 1 job done" ../typescript'
t "the live line showed the upload: what, how much of how much" \
  'tr "\r" "\n" < ../typescript | grep -q "running, 0 failed | uploading 1 output of rule big: 3.0 MiB of 3.0 MiB (100%)"'
t "... and took it off the line after it" \
  'tr "\r" "\n" < ../typescript | grep "\[  1/1\]" | tail -n 1 | grep -qv uploading'
t "without a terminal: a line every KRAIT_PROGRESS_EVERY seconds while a download lasts" \
  'KRAIT_PROGRESS_EVERY=0.5 "$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" size >../plain.out 2>&1 &&
   grep -q "^krait: downloading 1 input of rule size: " ../plain.out &&
   [ "$(cat ../plain.out | grep -c "^krait: downloading")" -ge 2 ]'
t "no such line for transfers under a second, nor under -q" \
  '"$KRAIT" run -q -c 1 --s3-endpoint-url "$S3_ENDPOINT" -R size >../quiet.out 2>&1 &&
   ! grep -q "downloading\|uploading" ../quiet.out'
: > ../proxy.log
rm -rf .krait/storage/s3/bkt/prog/in.bin .krait/storage/s3.meta/bkt/prog/in.bin
t "an input of known size (3 MiB, 1 MiB ranges) comes in 3 ranges at once, whole" \
  'KRAIT_S3_PART_SIZE=1048576 "$KRAIT" run -q -c 1 --s3-endpoint-url "$S3_ENDPOINT" -R size >../ranged.out 2>&1 &&
   [ "$(grep -c "^GET /bkt/prog/in.bin -> 206 range=bytes=" ../proxy.log)" = 3 ] &&
   grep -q "^GET /bkt/prog/in.bin -> 206 range=bytes=2097152-3145727$" ../proxy.log &&
   cmp -s .krait/storage/s3/bkt/prog/in.bin ../in.bin'
[ $fail = 0 ] || { for f in ../typescript ../plain.out; do echo "# == $f"; tr "\r" "\n" < "$f" | tail -n 12 | sed "s/^/#   /"; done; }
echo "1..$n"
exit $fail
