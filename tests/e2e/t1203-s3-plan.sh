#!/bin/sh
# t1203: planning over s3:// inputs (src/storage-s3.c) against s3rver behind
# the verifying proxy: 25 inputs in one directory and one lone input cost
# 1 HEAD + 1 listing + 1 HEAD, not 26 HEADs; the plan shows s3:// paths as
# written; a missing remote input is a planning error naming it; outputs made
# after the inputs are up to date, and re-uploading one input reruns only
# its dependant.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
python3 "$KR_SRCDIR/tests/s3/seed.py" "$S3_DIRECT" bkt in/s 25 4
echo lone > lone.txt
"$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" put s3://bkt/other/lone.txt lone.txt 2>/dev/null
cat > Snakefile <<'EOS'
rule all:
    input: expand("out/s{i}.txt", i=range(25)), "out/lone.txt"
rule copy:
    input: "s3://bkt/in/s{i}.txt"
    output: "out/s{i}.txt"
    shell: "cp {input} {output}"
rule lone:
    input: "s3://bkt/other/lone.txt"
    output: "out/lone.txt"
    shell: "cp {input} {output}"
EOS
: > proxy.log
t "plan over 26 remote inputs" '"$KRAIT" plan --s3-endpoint-url "$S3_ENDPOINT" >plan.out 2>err'
t "3 requests: HEAD, one listing of in/, HEAD of the lone object" \
  '[ $(wc -l <proxy.log) = 3 ] && [ $(grep -c "^HEAD " proxy.log) = 2 ] &&
   grep -q "^GET /bkt?list-type=2&prefix=in%2F -> 200" proxy.log && grep -q "^HEAD /bkt/other/lone.txt -> 200" proxy.log'
t "all 27 jobs planned, inputs shown as s3:// paths" \
  '[ $(grep -c "^rule " plan.out) = 27 ] && grep -q "input: s3://bkt/in/s7.txt" plan.out'
t "AWS_ENDPOINT_URL_S3 works as well" 'AWS_ENDPOINT_URL_S3=$S3_ENDPOINT "$KRAIT" plan -q >/dev/null 2>&1'

sed 's/range(25)/range(26)/' Snakefile > Snakefile2
t "a missing remote input is a planning error naming it" \
  '! "$KRAIT" plan -s Snakefile2 --s3-endpoint-url "$S3_ENDPOINT" >/dev/null 2>err &&
   grep -q "missing input file .s3://bkt/in/s25.txt." err'

mkdir -p out; sleep 2  # Last-Modified has whole seconds
i=0; while [ $i -lt 25 ]; do echo x > out/s$i.txt; i=$((i+1)); done; echo x > out/lone.txt
t "outputs newer than the objects: nothing to do" \
  '"$KRAIT" plan --s3-endpoint-url "$S3_ENDPOINT" >plan2.out 2>&1 && ! grep -q "^rule copy" plan2.out'
sleep 2; echo changed > s9.txt
"$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" put s3://bkt/in/s9.txt s9.txt 2>/dev/null
t "re-uploading one input reruns only its dependant" \
  '"$KRAIT" plan --s3-endpoint-url "$S3_ENDPOINT" >plan3.out 2>&1 &&
   [ $(grep -c "^rule copy" plan3.out) = 1 ] && grep -A3 "^rule copy" plan3.out | grep -q "s=9\|i=9"'
t "no credentials: says so once and what to set" \
  '! env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME=$PWD "$KRAIT" plan --s3-endpoint-url "$S3_ENDPOINT" >/dev/null 2>err &&
   [ $(grep -c "no AWS credentials" err) = 1 ]'
echo "1..$n"
exit $fail
