#!/bin/sh
# t1209: directory() outputs and log:/benchmark: files in S3. A directory()
# output under --default-storage is uploaded file by file under its prefix
# (its .snakemake_timestamp too), planned from the listing of the prefix
# (exists, mtime), downloaded whole for the job that reads it; a rerun that
# makes fewer files deletes the objects of the older version, and the
# consumer's staged copy loses them too. s3:// log: and benchmark: files are
# written to their staged copies and uploaded after the job, also under
# --storage-staging presigned (by krait, not by the job). Under presigned
# staging a directory in S3 as input reaches the job object by object, and
# a directory() output goes up file by file through a presigned POST form
# (the proxy checks its policy signature with botocore and its conditions).
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
s3_tap
printf 'one\ntwo\nthree\n' > in.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/proj/data/in.txt in.txt 2>/dev/null
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "results/summary.txt"
rule split:
    input: "data/in.txt"
    output: directory("results/parts")
    log: "s3://bkt/logs/split.log"
    benchmark: "s3://bkt/bench/split.tsv"
    shell: "mkdir -p {output}; split -l 1 {input} {output}/p_; echo split-done > {log}"
rule summary:
    input: "results/parts"
    output: "results/summary.txt"
    shell: "ls {input} | sort > {output}; cat {input}/p_* >> {output}"
EOS
sleep 1
run() { "$KRAIT" run -c 2 --s3-endpoint-url "$S3_ENDPOINT" --default-storage s3://bkt/proj "$@"; }
t "the workflow with a directory() output in S3 runs (3 jobs)" \
  'run >../run1.out 2>&1 && grep -q "3 of 3 jobs done" ../run1.out'
t "every file of the directory is an object under its prefix" \
  '[ "$(keys s3://bkt/proj/results/parts/)" = "proj/results/parts/.snakemake_timestamp proj/results/parts/p_aa proj/results/parts/p_ab proj/results/parts/p_ac " ] &&
   [ "$(get s3://bkt/proj/results/parts/p_ab)" = two ]'
t "the consumer read the whole directory" \
  '[ "$(get s3://bkt/proj/results/summary.txt)" = "$(printf "p_aa\np_ab\np_ac\none\ntwo\nthree")" ]'
t "the s3:// log was uploaded after the job" '[ "$(get s3://bkt/logs/split.log)" = split-done ]'
t "the s3:// benchmark was uploaded after the job" \
  'get s3://bkt/bench/split.tsv | head -n 1 | grep -q "^s	h:m:s"'
t "a second run has nothing to do (the directory planned from its listing)" \
  'run >../run2.out 2>&1 && grep -qi "nothing to be done\|nothing to do" ../run2.out'
t "krait plan sees the directory output as present" \
  '"$KRAIT" plan --s3-endpoint-url "$S3_ENDPOINT" --default-storage s3://bkt/proj >../plan.out 2>&1 &&
   grep -qi "nothing to\|0 jobs\|up to date" ../plan.out'
sleep 1
printf 'uno\ndos\n' > ../in.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/proj/data/in.txt ../in.txt 2>/dev/null
t "a changed input reruns the directory's job and its consumer" \
  'run >../run3.out 2>&1 && grep -q "3 of 3 jobs done" ../run3.out'
t "the object the new version no longer has is deleted" \
  '[ "$(keys s3://bkt/proj/results/parts/)" = "proj/results/parts/.snakemake_timestamp proj/results/parts/p_aa proj/results/parts/p_ab " ]'
t "the consumer's staged copy lost it too" \
  '[ "$(get s3://bkt/proj/results/summary.txt)" = "$(printf "p_aa\np_ab\nuno\ndos")" ]'
cd "$T" && mkdir p && cd p
cat > Snakefile <<'EOS'
rule one:
    input: "s3://bkt/proj/data/in.txt"
    output: "s3://bkt/pre/out.txt"
    log: "s3://bkt/pre/one.log"
    benchmark: "s3://bkt/pre/one.tsv"
    shell: "cat {input} > {output}; echo logged > {log}"
EOS
t "presigned staging: s3:// log and benchmark uploaded by krait after the job" \
  '"$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" --storage-staging presigned >../pre.out 2>&1 &&
   [ "$(get s3://bkt/pre/one.log)" = logged ] && get s3://bkt/pre/one.tsv | grep -q "^s	h:m:s" &&
   [ "$(get s3://bkt/pre/out.txt)" = "$(printf "uno\ndos")" ]'
cat > Snakefile.dir <<'EOS'
rule count:
    input: "s3://bkt/proj/results/parts"
    output: "s3://bkt/pre/count.txt"
    shell: "ls {input} | sort > {output}; cat {input}/p_* >> {output}"
EOS
: > ../proxy.log
t "presigned staging: a directory in S3 as input is fetched object by object by the job" \
  '"$KRAIT" run -s Snakefile.dir -c 1 --s3-endpoint-url "$S3_ENDPOINT" --storage-staging presigned -v >../pdir.out 2>&1 &&
   [ "$(get s3://bkt/pre/count.txt)" = "$(printf "p_aa\np_ab\nuno\ndos")" ]'
t "... each object by a presigned GET" \
  '[ "$(grep -c "GET /bkt/proj/results/parts/.*X-Amz-Signature" ../proxy.log)" -ge 3 ]'
cat > Snakefile.pdir <<'EOS'
rule all:
    input: "s3://bkt/pre/summary2.txt"
rule split:
    input: "s3://bkt/proj/data/in.txt"
    output: directory("s3://bkt/pre/parts")
    shell: "mkdir -p {output}/sub; split -l 1 {input} {output}/p_; echo nested > {output}/sub/n.txt"
rule summary:
    input: "s3://bkt/pre/parts"
    output: "s3://bkt/pre/summary2.txt"
    shell: "(cd {input} && find . -type f | sort) > {output}; cat {input}/p_* >> {output}"
EOS
# an older version's object under the prefix (which also makes the directory
# look made already: -R runs its rule)
"$D" -e "$S3_ENDPOINT" put s3://bkt/pre/parts/stale.txt ../in.txt 2>/dev/null
: > ../proxy.log
t "presigned staging: a directory() output in S3 is uploaded by the job through a presigned POST form" \
  '"$KRAIT" run -s Snakefile.pdir -c 1 -R split --s3-endpoint-url "$S3_ENDPOINT" --storage-staging presigned >../pdo.out 2>&1 &&
   [ "$(keys s3://bkt/pre/parts/)" = "pre/parts/.snakemake_timestamp pre/parts/p_aa pre/parts/p_ab pre/parts/sub/n.txt " ]'
t "... every file by one POST that the verifying proxy accepted (policy signed, conditions met)" \
  '[ "$(grep -c "^POST /bkt key=pre/parts/.* -> 20[04]" ../proxy.log)" = 4 ] && ! grep -q "^POST.* -> 403" ../proxy.log'
t "... the object an older version left under the prefix is gone" \
  '! keys s3://bkt/pre/parts/ | grep -q stale'
t "... and the consumer read the directory" \
  '[ "$(get s3://bkt/pre/summary2.txt)" = "$(printf "./.snakemake_timestamp\n./p_aa\n./p_ab\n./sub/n.txt\nuno\ndos")" ]'
t "... and a form whose policy signature is wrong is refused (403 SignatureDoesNotMatch)" \
  '[ "$(curl -s -o ../bad.xml -w "%{http_code}" --form-string key=pre/parts/x \
       --form-string policy=eyJjb25kaXRpb25zIjogW119 --form-string x-amz-algorithm=AWS4-HMAC-SHA256 \
       --form-string "x-amz-credential=$AWS_ACCESS_KEY_ID/20260101/us-east-1/s3/aws4_request" \
       --form-string x-amz-date=20260101T000000Z --form-string x-amz-signature=0000 \
       -F "file=@../in.txt" "$S3_ENDPOINT/bkt")" = 403 ] && grep -q SignatureDoesNotMatch ../bad.xml'
t "... a second run has nothing to do" \
  '"$KRAIT" run -s Snakefile.pdir -c 1 --s3-endpoint-url "$S3_ENDPOINT" --storage-staging presigned >../pdo2.out 2>&1 &&
   grep -qi "nothing to be done" ../pdo2.out'
echo "1..$n"
exit $fail
