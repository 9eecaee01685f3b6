#!/bin/sh
# t1205: `krait run` with s3:// inputs and outputs on the local executor,
# against s3rver behind the proxy that checks every signature. Inputs are
# fetched into .krait/storage/s3/BUCKET/KEY (the job sees that path),
# outputs are uploaded after the job with x-amz-meta-krait-mtime; a second
# run does nothing; a changed input object reruns only its dependants (and
# cached copies of unchanged objects are not fetched again); a failing job
# uploads nothing; a failing upload fails the job, names the object and
# leaves no object (a multipart upload is aborted); a missing input object
# (when planning, or gone by the time its job starts) is one line naming
# it; a remote temp() output is deleted once consumed; ensure() checks the
# staged copy before the upload; a log: in S3 is staged and uploaded (t1209 has more).
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
# every PUT under bkt/bad/ (single or part of a multipart upload) fails
s3_up bkt --fail-match '^PUT /bkt/bad/' || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
run() { "$KRAIT" run -c 2 -p --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
get() { rm -f got; "$D" -e "$S3_ENDPOINT" get "$1" got >/dev/null 2>&1 && cat got; }
printf 'alpha\n' > a.txt; printf 'beta\n' > b.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/in/a.txt a.txt 2>/dev/null
"$D" -e "$S3_ENDPOINT" put s3://bkt/in/b.txt b.txt 2>/dev/null
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "report.txt"
rule up:
    input: "s3://bkt/in/{s}.txt"
    output: "s3://bkt/mid/{s}.txt"
    shell: "tr a-z A-Z < {input} > {output}"
rule sum:
    input: "s3://bkt/mid/a.txt", "s3://bkt/mid/b.txt"
    output: "s3://bkt/out/sum.txt"
    shell: "cat {input} > {output}"
rule report:
    input: "s3://bkt/out/sum.txt"
    output: "report.txt"
    shell: "wc -l < {input} > {output}"
EOS
sleep 1   # Last-Modified has whole seconds
: > ../proxy.log
t "a workflow with s3:// inputs and outputs runs (4 jobs)" \
  'run >../run1.out 2>&1 && grep -q "5 of 5 jobs done" ../run1.out'
t "the job saw the staged local copies, not s3:// paths" \
  'grep -q "tr a-z A-Z < .krait/storage/s3/bkt/in/a.txt > .krait/storage/s3/bkt/mid/a.txt" ../run1.out &&
   ! grep -q "cat s3:" ../run1.out'
t "outputs are in the bucket with the right content" \
  '[ "$(get s3://bkt/mid/b.txt)" = BETA ] && [ "$(get s3://bkt/out/sum.txt)" = "$(printf "ALPHA\nBETA")" ]'
t "a local output made from a remote one" '[ "$(cat report.txt)" = 2 ]'
t "uploads carry x-amz-meta-krait-mtime = the staged file's mtime" \
  'h=$("$D" -e "$S3_ENDPOINT" head 2>/dev/null s3://bkt/out/sum.txt) && echo "$h" | grep -q "krait_mtime=1" &&
   m=$(stat -c %Y .krait/storage/s3/bkt/out/sum.txt) &&
   echo "$h" | grep -q "mtime_ns=$m[0-9]\{9\} "'
t "the downloaded inputs each came with one GET, the outputs with one PUT" \
  '[ $(grep -c "^GET /bkt/in/" ../proxy.log) = 2 ] && [ $(grep -c "^PUT /bkt/" ../proxy.log) = 3 ] &&
   ! grep -q " -> 403" ../proxy.log'
t "the cache has a record (ETag and size) per object" \
  'read e s < .krait/storage/s3.meta/bkt/in/a.txt && [ "$s" = 6 ] && [ ${#e} = 32 ]'
: > ../proxy.log
t "a second run has nothing to do and transfers nothing" \
  'run >../run2.out 2>&1 && grep -qi "nothing to be done\|nothing to do" ../run2.out &&
   ! grep -q "^GET /bkt/[a-z]*/\|^PUT " ../proxy.log'

sleep 1; printf 'gamma\n' > ../b.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/in/b.txt ../b.txt 2>/dev/null
: > ../proxy.log
t "changing one input object reruns only its dependants" \
  'run >../run3.out 2>&1 && ! grep -q "rule up (s=a)" ../run3.out &&
   [ "$(get s3://bkt/out/sum.txt)" = "$(printf "ALPHA\nGAMMA")" ] &&
   grep -q "^PUT /bkt/mid/b.txt" ../proxy.log && ! grep -q "^PUT /bkt/mid/a.txt" ../proxy.log &&
   grep -q "^PUT /bkt/out/sum.txt" ../proxy.log && grep -q "4 of 4 jobs done" ../run3.out'
t "an unchanged object whose copy is cached is not fetched again" \
  '! grep -q "^GET /bkt/mid/a.txt" ../proxy.log && ! grep -q "^GET /bkt/in/a.txt" ../proxy.log'

cat > Snakefile.fail <<'EOS'
rule all:
    input: "s3://bkt/f/x.txt"
rule x:
    input: "s3://bkt/in/a.txt"
    output: "s3://bkt/f/x.txt"
    shell: "cp {input} {output}; exit 3"
EOS
: > ../proxy.log
t "a failing job fails the run" '! run -s Snakefile.fail >../run4.out 2>&1'
t "a failing job uploads nothing" \
  '! grep -q "^PUT \|^POST " ../proxy.log && "$D" -e "$S3_ENDPOINT" head 2>/dev/null s3://bkt/f/x.txt | grep -qx missing'
t "... and its staged output is removed, so it is planned again" \
  '[ ! -e .krait/storage/s3/bkt/f/x.txt ] && "$KRAIT" run -n -s Snakefile.fail --s3-endpoint-url "$S3_ENDPOINT" 2>&1 | grep -q "rule x"'

cat > Snakefile.bad <<'EOS'
rule all:
    input: "s3://bkt/bad/y.txt", "s3://bkt/bad/big.bin"
rule y:
    output: "s3://bkt/bad/y.txt"
    shell: "echo y > {output}"
rule big:
    output: "s3://bkt/bad/big.bin"
    shell: "head -c 300000 /dev/zero > {output}"
EOS
: > ../proxy.log
t "a failing upload fails the job with one line naming the object and what to do" \
  '! KRAIT_S3_MULTIPART_THRESHOLD=100000 KRAIT_S3_PART_SIZE=100000 run -k -s Snakefile.bad >../run5.out 2>&1 &&
   grep -q "S3 PUT s3://bkt/bad/y.txt: HTTP 500 .*rerun later" ../run5.out &&
   grep -q "S3 PUT s3://bkt/bad/big.bin?partNumber=.*HTTP 500" ../run5.out'
t "no object under the failed keys; the multipart upload was aborted" \
  '"$D" -e "$S3_ENDPOINT" head 2>/dev/null s3://bkt/bad/y.txt | grep -qx missing &&
   "$D" -e "$S3_ENDPOINT" head 2>/dev/null s3://bkt/bad/big.bin | grep -qx missing &&
   grep -q "^DELETE /bkt/bad/big.bin?uploadId=" ../proxy.log'
t "nothing was recorded: the jobs are still to run" \
  '[ $("$KRAIT" run -n -s Snakefile.bad --s3-endpoint-url "$S3_ENDPOINT" 2>&1 | grep -c "^rule y\|^rule big") = 2 ]'

cat > Snakefile.miss <<'EOS'
rule all:
    input: "got.txt"
rule g:
    input: "s3://bkt/in/a.txt"
    output: "got.txt"
    shell: "cp {input} {output}"
EOS
rm -rf .krait/storage/s3/bkt/in .krait/storage/s3.meta/bkt/in
"$D" -e "$S3_ENDPOINT" rm s3://bkt/in/a.txt 2>/dev/null
t "a missing input object: one line naming it" \
  '! run -s Snakefile.miss >../run6.out 2>&1 && [ $(wc -l <../run6.out) = 1 ] &&
   grep -q "missing input file .s3://bkt/in/a.txt." ../run6.out'

# an object that was there when planned is gone when its job is to start
printf 'zeta\n' > ../z.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/in/z.txt ../z.txt 2>/dev/null
cat > Snakefile.gone <<'EOS'
rule all:
    input: "z.out"
rule first:
    output: "first.txt"
    shell: "D -e EP rm s3://bkt/in/z.txt && touch {output}"
rule second:
    input: "first.txt", "s3://bkt/in/z.txt"
    output: "z.out"
    shell: "cp {input[1]} {output}"
EOS
sed -i "s|D -e EP|$D -e $S3_ENDPOINT|" Snakefile.gone
t "an input object missing at download fails its job with one line naming it and what to do" \
  '! run -s Snakefile.gone >../run8.out 2>&1 &&
   grep -q "rule second failed: cannot fetch an input from S3: S3 GET s3://bkt/in/z.txt: HTTP 404 NoSuchKey.*check the key, or produce it with a rule" ../run8.out &&
   [ ! -e z.out ] && [ ! -e .krait/storage/s3/bkt/in/z.txt ] && [ ! -e .krait/storage/s3/bkt/in/z.txt.part ]'

printf 'alpha\n' > ../a2.txt
"$D" -e "$S3_ENDPOINT" put s3://bkt/in/a.txt ../a2.txt 2>/dev/null
cat > Snakefile.temp <<'EOS'
rule all:
    input: "final.txt"
rule t1:
    input: "s3://bkt/in/a.txt"
    output: temp("s3://bkt/tmp/t.txt")
    shell: "cp {input} {output}"
rule t2:
    input: "s3://bkt/tmp/t.txt"
    output: "final.txt"
    shell: "cp {input} {output}"
EOS
t "a remote temp() output is deleted from the bucket once consumed" \
  'run -s Snakefile.temp >../run7.out 2>&1 && [ "$(cat final.txt)" = alpha ] &&
   "$D" -e "$S3_ENDPOINT" head 2>/dev/null s3://bkt/tmp/t.txt | grep -qx missing &&
   [ ! -e .krait/storage/s3/bkt/tmp/t.txt ]'
cat > Snakefile.multi <<'EOS'
rule all:
    input: expand("s3://bkt/parts/p{i}.txt", i=[1, 2, 3])
rule split:
    output: expand("s3://bkt/parts/p{i}.txt", i=[1, 2, 3])
    shell: "echo one > {output[0]}; echo two > {output[1]}; echo three > {output[2]}"
EOS
: > ../proxy.log
t "a job's several outputs are all uploaded (one batch of PUTs), each with its content" \
  'run -s Snakefile.multi >../run10.out 2>&1 && [ $(grep -c "^PUT /bkt/parts/p[123].txt -> 200" ../proxy.log) = 3 ] &&
   [ "$(get s3://bkt/parts/p1.txt)" = one ] && [ "$(get s3://bkt/parts/p3.txt)" = three ] &&
   "$D" -e "$S3_ENDPOINT" head s3://bkt/parts/p2.txt 2>/dev/null | grep -q "size=4 .*krait_mtime=1" &&
   run -s Snakefile.multi 2>&1 | grep -qi "nothing to be done\|nothing to do"'
cat > Snakefile.nowrite <<'EOS'
rule all:
    input: "s3://bkt/nw/x.txt"
rule nw:
    output: "s3://bkt/nw/x.txt"
    shell: "true"
EOS
: > ../proxy.log
t "an s3:// output the job did not write: MissingOutputException names it and the staged path" \
  '! run -s Snakefile.nowrite --latency-wait 0 >../run11.out 2>&1 &&
   grep -q "s3://bkt/nw/x.txt (the job was to write it to .krait/storage/s3/bkt/nw/x.txt)" ../run11.out &&
   ! grep -q "^PUT " ../proxy.log'
cat > Snakefile.ensure <<'EOS'
rule all:
    input: "s3://bkt/ens/empty.txt", "s3://bkt/ens/full.txt"
rule empty:
    output: ensure("s3://bkt/ens/empty.txt", non_empty=True)
    shell: ": > {output}"
rule full:
    output: ensure("s3://bkt/ens/full.txt", non_empty=True)
    shell: "echo full > {output}"
EOS
: > ../proxy.log
t "ensure(non_empty=True) checks the staged copy: an empty s3:// output fails and is not uploaded" \
  '! run -k -s Snakefile.ensure >../run12.out 2>&1 &&
   grep -q "output .krait/storage/s3/bkt/ens/empty.txt is empty, but the rule declares it ensure" ../run12.out &&
   ! grep -q "^PUT /bkt/ens/empty.txt" ../proxy.log && [ "$(get s3://bkt/ens/full.txt)" = full ]'
cat > Snakefile.log <<'EOS'
rule all:
    input: "l.txt"
rule l:
    output: "l.txt"
    log: "s3://bkt/logs/l.log"
    shell: "echo l > {output}"
EOS
t "a log: file in S3 is written to its staged copy and uploaded (not to a local s3: dir)" \
  'run -s Snakefile.log >../run9.out 2>&1 && [ -e l.txt ] && [ ! -e s3: ] &&
   "$D" -e "$S3_ENDPOINT" head s3://bkt/logs/l.log 2>/dev/null | grep -q "size=0"'
echo "1..$n"
exit $fail
