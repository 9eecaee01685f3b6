#!/bin/sh
# t1213: Snakemake's own spellings of files in S3 run unchanged: Snakemake 7's
# remote provider (from snakemake.remote.S3 import RemoteProvider;
# S3.remote("BUCKET/KEY"), S3.glob_wildcards) and Snakemake 8's storage
# (storage.s3("s3://..."), the storage: directive, a named `storage NAME:`).
# Credentials written in the rule file are ignored with a warning (krait
# takes them from the environment) and appear nowhere; another provider, or
# a name without s3://, is an error at its line.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
s3_tap
for s in a b c; do echo "sample $s" > "$s.txt"; "$D" -e "$S3_ENDPOINT" put "s3://bkt/raw/$s.txt" "$s.txt" >/dev/null 2>&1; done
mkdir w7 && cd w7
cat > Snakefile <<'EOS'
from snakemake.remote.S3 import RemoteProvider as S3RemoteProvider
S3 = S3RemoteProvider(access_key_id="AKIDINFILE", secret_access_key="FileSecret0123456789")
SAMPLES = S3.glob_wildcards("bkt/raw/{s}.txt").s
rule all:
    input: S3.remote(expand("bkt/v7/{s}.up", s=SAMPLES)), S3.remote("bkt/v7/all.txt")
rule up:
    input: S3.remote("bkt/raw/{s}.txt")
    output: S3.remote("bkt/v7/{s}.up")
    shell: "tr a-z A-Z < {input} > {output}"
rule cat:
    input: S3.remote(expand("bkt/v7/{s}.up", s=SAMPLES))
    output: S3.remote("bkt/v7/all.txt")
    shell: "cat {input} > {output}"
EOS
run() { "$KRAIT" run -c 2 --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
t "Snakemake 7's S3.remote and S3.glob_wildcards: the workflow runs (5 jobs)" \
  'run >../r7.out 2>&1 && grep -q "5 of 5 jobs done" ../r7.out'
t "the objects are the workflow's results" \
  '[ "$(get s3://bkt/v7/all.txt)" = "$(printf "SAMPLE A\nSAMPLE B\nSAMPLE C")" ]'
t "credentials in the rule file: a warning naming each, the values nowhere" \
  'grep -q "warning: S3.RemoteProvider(): access_key_id is ignored" ../r7.out &&
   grep -q "secret_access_key is ignored" ../r7.out &&
   ! grep -rq "FileSecret0123456789" ../r7.out .krait ../proxy.log &&
   ! grep -q "AKIDINFILE" ../proxy.log'
t "a second run has nothing to do" 'run >../r7b.out 2>&1 && grep -qi "nothing to be done" ../r7b.out'
cd "$T" && mkdir w8 && cd w8
cat > Snakefile <<'EOS'
storage:
    provider="s3",
    max_requests_per_second=10,
storage results:
    provider="s3",
    retries=3,
rule all:
    input: storage.results("s3://bkt/v8/all.txt")
rule up:
    input: storage.s3("s3://bkt/raw/{s}.txt")
    output: storage.results("s3://bkt/v8/{s}.up")
    shell: "tr a-z A-Z < {input} > {output}"
rule cat:
    input: storage.s3(expand("s3://bkt/v8/{s}.up", s=["a", "b"]))
    output: storage.results("s3://bkt/v8/all.txt")
    shell: "cat {input} > {output}"
EOS
t "Snakemake 8's storage: directives, storage.s3() and a named storage: the workflow runs" \
  'run >../r8.out 2>&1 && grep -q "4 of 4 jobs done" ../r8.out &&
   [ "$(get s3://bkt/v8/all.txt)" = "$(printf "SAMPLE A\nSAMPLE B")" ]'
cat > Snakefile.gcs <<'EOS'
storage:
    provider="gcs",
rule a:
    output: "x"
    shell: "touch {output}"
EOS
t "another provider: an error at its line saying what works" \
  '! run -s Snakefile.gcs >../gcs.out 2>&1 &&
   grep -q "Snakefile.gcs:1:.*provider \"gcs\" is not supported.*provider=\"s3\"" ../gcs.out'
cat > Snakefile.bad <<'EOS'
rule a:
    output: storage.s3("bkt/x.txt")
    shell: "touch {output}"
EOS
t "storage.s3() of a name without s3://: an error at its line" \
  '! run -s Snakefile.bad >../bad.out 2>&1 &&
   grep -q "Snakefile.bad:2:.*storage.s3() expects an s3://BUCKET/KEY path, got .bkt/x.txt." ../bad.out'
[ $fail = 0 ] || { for f in ../r7.out ../r8.out ../gcs.out ../bad.out; do echo "# == $f"; tail -n 8 "$f" | sed "s/^/#   /"; done; }
echo "1..$n"
exit $fail
