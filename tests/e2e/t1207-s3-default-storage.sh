#!/bin/sh
# t1207: --default-storage s3://BUCKET/PREFIX (and Snakemake's
# --default-storage-provider s3 --default-storage-prefix URL): every relative
# input and output path of the workflow - patterns, input functions' results,
# file targets - lives under the prefix in S3; local("...") keeps a path
# local, logs stay local. The run fetches, runs and uploads; a second run
# does nothing; a changed input object reruns only its dependants.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
get() { rm -f ../got; "$D" -e "$S3_ENDPOINT" get "$1" ../got >/dev/null 2>&1 && cat ../got; }
printf 'alpha\n' > a.txt; printf 'beta\n' > b.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/proj/data/a.txt a.txt 2>/dev/null
"$D" -e "$S3_ENDPOINT" put s3://bkt/proj/data/b.txt b.txt 2>/dev/null
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "results/sum.txt", local("local/report.txt"), "results/fn.txt"
rule up:
    input: "data/{s}.txt"
    output: "results/{s}.up"
    shell: "tr a-z A-Z < {input} > {output}"
rule sum:
    input: expand("results/{s}.up", s=["a", "b"])
    output: "results/sum.txt"
    shell: "cat {input} > {output}"
rule report:
    input: "results/sum.txt"
    output: local("local/report.txt")
    log: "logs/report.log"
    shell: "wc -l < {input} > {output}; echo logged > {log}"
rule viafn:
    input: lambda wildcards: "data/a.txt"
    output: "results/fn.txt"
    shell: "cp {input} {output}"
EOS
sleep 1
run() { "$KRAIT" run -c 2 -p --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
t "the workflow runs with --default-storage (6 jobs)" \
  'run --default-storage s3://bkt/proj >../run1.out 2>&1 && grep -q "6 of 6 jobs done" ../run1.out'
t "outputs are under the prefix in the bucket, with their content" \
  '[ "$(get s3://bkt/proj/results/b.up)" = BETA ] &&
   [ "$(get s3://bkt/proj/results/sum.txt)" = "$(printf "ALPHA\nBETA")" ] &&
   [ "$(get s3://bkt/proj/results/fn.txt)" = alpha ]'
t "an input function's relative result is mapped too" \
  'grep -q "cp .krait/storage/s3/bkt/proj/data/a.txt .krait/storage/s3/bkt/proj/results/fn.txt" ../run1.out'
t "local() and the log stay local; nothing else is written beside the Snakefile" \
  '[ "$(cat local/report.txt)" = 2 ] && [ "$(cat logs/report.log)" = logged ] &&
   [ ! -e results ] && [ ! -e data ] && ! "$D" -e "$S3_ENDPOINT" ls s3://bkt/proj/local/ 2>/dev/null | grep -q .'
t "uploads carry krait-mtime metadata" \
  '"$D" -e "$S3_ENDPOINT" head s3://bkt/proj/results/sum.txt 2>/dev/null | grep -q "krait_mtime=1"'
: > ../proxy.log
t "Snakemake's spelling: a second run has nothing to do and transfers nothing" \
  'run --default-storage-provider s3 --default-storage-prefix s3://bkt/proj/ >../run2.out 2>&1 &&
   grep -qi "nothing to be done\|nothing to do" ../run2.out && ! grep -q "^PUT \|^GET /bkt/proj/" ../proxy.log'
t "a relative file target means the object under the prefix" \
  '"$KRAIT" run -n -f --default-storage s3://bkt/proj --s3-endpoint-url "$S3_ENDPOINT" results/a.up >../run3.out 2>&1 &&
   grep -q "output: s3://bkt/proj/results/a.up" ../run3.out'
sleep 1; printf 'gamma\n' > ../b.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/proj/data/b.txt ../b.txt 2>/dev/null
t "changing one input object reruns only its dependants" \
  'run --default-storage s3://bkt/proj >../run4.out 2>&1 && grep -q "4 of 4 jobs done" ../run4.out &&
   grep -q "rule up (s=b)" ../run4.out && ! grep -q "rule up (s=a)\|rule viafn" ../run4.out &&
   [ "$(get s3://bkt/proj/results/sum.txt)" = "$(printf "ALPHA\nGAMMA")" ]'
t "another provider is refused, naming it" \
  '! "$KRAIT" run -n --default-storage-provider gcs --default-storage-prefix gs://x >/dev/null 2>../err &&
   grep -q "provider .gcs. is not supported" ../err'
t "a prefix that is not an s3:// URL is refused" \
  '! "$KRAIT" run -n --default-storage /tmp/x >/dev/null 2>../err && grep -q "not an s3://BUCKET" ../err'
echo "1..$n"
exit $fail
