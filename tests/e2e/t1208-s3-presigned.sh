#!/bin/sh
# t1208: --storage-staging presigned. Jobs stage their own s3:// files with
# presigned URLs (src/stage-remote.c) that the botocore-verifying proxy
# checks: the same workflow under --default-storage gives the same objects
# as shared staging; krait itself transfers no object (every object GET/PUT
# is query-signed); no AWS key, secret, token or URL reaches the job's
# environment or argv, krait's output, .krait or the scratch directory;
# touch() outputs, keys with spaces and quotes work; a second run does
# nothing (Last-Modified is the mtime of presigned uploads); an expired URL
# fails the job with a clear message; SLURM (when it is up) runs the same.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
SECRET=$AWS_SECRET_ACCESS_KEY
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
skip() { n=$((n+1)); echo "ok $n # SKIP $1"; }
get() { rm -f "$T/got"; "$D" -e "$S3_ENDPOINT" get "$1" "$T/got" >/dev/null 2>&1 && cat "$T/got"; }
T=$PWD
printf 'alpha\n' > a.txt; printf 'beta\n' > b.txt
for p in shared pre slurm; do
    "$D" -e "$S3_ENDPOINT" put "s3://bkt/$p/data/a.txt" a.txt 2>/dev/null
    "$D" -e "$S3_ENDPOINT" put "s3://bkt/$p/data/it's b.txt" b.txt 2>/dev/null
done
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "results/sum.txt", "results/env.txt", "results/done.flag"
rule up:
    input: "data/{s}.txt"
    output: "results/{s}.up"
    shell: "tr a-z A-Z < {input:q} > {output:q}"
rule sum:
    input: expand("results/{s}.up", s=["a", "it's b"])
    output: "results/sum.txt"
    shell: "cat {input:q} > {output:q}"
rule env:
    input: "results/sum.txt"
    output: "results/env.txt"
    shell: "{{ env; tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; }} > {output}"
rule slow:
    output: "results/slow.txt"
    shell: "sleep 3; echo slow > {output}"
rule flag:
    input: "results/sum.txt"
    output: touch("results/done.flag")
    shell: "true"
EOS
mkdir -p "$T/tmp"
run() { TMPDIR=$T/tmp "$KRAIT" run -c 2 -p -v --s3-endpoint-url "$S3_ENDPOINT" "$@"; }
t "shared staging runs the workflow (6 jobs)" \
  'run --default-storage s3://bkt/shared >../shared.out 2>&1 && grep -q "6 of 6 jobs done" ../shared.out'
rm -rf .krait
: > ../proxy.log
t "presigned staging runs the workflow (6 jobs)" \
  'run --storage-staging presigned --default-storage s3://bkt/pre >../pre.out 2>&1 && grep -q "6 of 6 jobs done" ../pre.out'
cp ../proxy.log ../pre.proxy
t "the objects are identical to shared staging's" \
  '(for k in results/a.up "results/it'"'"'s b.up" results/sum.txt; do
      [ "$(get "s3://bkt/pre/$k")" = "$(get "s3://bkt/shared/$k")" ] || exit 1; done) &&
   [ "$(get s3://bkt/pre/results/sum.txt)" = "$(printf "ALPHA\nBETA")" ]'
t "touch() output uploaded by the job" '"$D" -e "$S3_ENDPOINT" head s3://bkt/pre/results/done.flag 2>/dev/null | grep -q "size=0"'
t "the jobs transferred every object by presigned URL, krait none" \
  'grep -q "^GET /bkt/pre/data/a.txt?.*X-Amz-Signature=" ../pre.proxy &&
   grep -q "^PUT /bkt/pre/results/sum.txt?.*X-Amz-Signature=" ../pre.proxy &&
   ! grep "^\(GET\|PUT\) /bkt/pre/[^?]*\( \|$\)" ../pre.proxy | grep -q . &&
   ! grep -q "^\(GET\|PUT\) /bkt/pre/[^?]*?\(partNumber\|uploads\)" ../pre.proxy'
t "the proxy verified every presigned signature (no 403)" '! grep -q -- "-> 403" ../proxy.log'
t "krait checked the outputs (HEAD) after the jobs" 'grep -q "^HEAD /bkt/pre/results/sum.txt -> 200" ../proxy.log'
t "no AWS key, secret or URL in the job's environment or argv" \
  'env=$(get s3://bkt/pre/results/env.txt) && [ -n "$env" ] && echo "$env" | grep -q "^PATH=" &&
   ! echo "$env" | grep -q "AWS_ACCESS_KEY_ID\|AWS_SECRET\|AWS_SESSION_TOKEN\|X-Amz\|$SECRET\|S3RVER"'
t "the job ran from a script in a private scratch directory, removed afterwards" \
  'echo "$(get s3://bkt/pre/results/env.txt)" | grep -q "/krait-stage\.[A-Za-z0-9]*/job.sh" &&
   [ -z "$(ls -A "$T/tmp")" ]'
t "krait printed the command, not the wrapper" \
  'grep -q "tr a-z A-Z < .krait/storage/s3/bkt/pre/data/a.txt > .krait/storage/s3/bkt/pre/results/a.up" ../pre.out &&
   grep -q "stages 1 remote input and 1 output itself (presigned URLs valid 25200 s)" ../pre.out &&
   ! grep -q "X-Amz\|kr_get\|KRAIT_URL" ../pre.out'
t "no URL, signature or secret in .krait (state, logs, job files)" \
  '! grep -rl "X-Amz-Signature\|X-Amz-Credential\|$SECRET" .krait | grep -q .'
t "nor in krait log, its job attempts, the trace or the report" \
  '"$KRAIT" log >../log.out 2>&1 && "$KRAIT" log --run 1 --json >>../log.out 2>&1 &&
   "$KRAIT" log --trace >>../log.out 2>&1 && grep -q "rule up\|up" ../log.out &&
   "$KRAIT" report -o ../report.html --no-plan >/dev/null 2>&1 && [ -s ../report.html ] &&
   ! grep -l "X-Amz\|$SECRET\|kr_get\|KRAIT_URL" ../log.out ../report.html | grep -q .'
: > ../proxy.log
t "a second run has nothing to do (Last-Modified is the outputs' mtime)" \
  'run --storage-staging presigned --default-storage s3://bkt/pre >../pre2.out 2>&1 &&
   grep -qi "nothing to be done\|nothing to do" ../pre2.out && ! grep -q "^\(GET\|PUT\) /bkt/" ../proxy.log'
sleep 1; printf 'gamma\n' > ../b.txt
"$D" -e "$S3_ENDPOINT" put "s3://bkt/pre/data/it's b.txt" ../b.txt 2>/dev/null
t "a changed input reruns its dependants only" \
  'run --storage-staging presigned --default-storage s3://bkt/pre >../pre3.out 2>&1 &&
   grep -q "5 of 5 jobs done" ../pre3.out && ! grep -q "rule up (s=a)" ../pre3.out &&
   [ "$(get s3://bkt/pre/results/sum.txt)" = "$(printf "ALPHA\nGAMMA")" ]'
: > ../proxy.log
t "an expired URL fails the job with a clear message" \
  '! KRAIT_PRESIGN_EXPIRES=1 run --storage-staging presigned --default-storage s3://bkt/pre results/slow.txt \
        >../exp.out 2>&1 && grep -q "Request has expired" ../proxy.log &&
   grep -rq "krait staging: PUT s3://bkt/pre/results/slow.txt: HTTP 403 AccessDenied: Request has expired (the presigned URL was valid for 1 s" .krait/log ../exp.out &&
   ! "$D" -e "$S3_ENDPOINT" head s3://bkt/pre/results/slow.txt 2>/dev/null | grep -q size='
t "... and the expired run left no URL behind either" '! grep -rl "X-Amz-Signature\|$SECRET" .krait ../exp.out | grep -q .'
t "a bad staging mode is refused" \
  '! "$KRAIT" run -n --storage-staging nfs >/dev/null 2>../err && grep -q "not a staging mode" ../err'
t "a directory() output in S3 under presigned staging is uploaded by the job (t1209 has more)" \
  'mkdir ../dw && cd ../dw && printf "rule d:\n    output: directory(\"s3://bkt/pre/dir\")\n    shell: \"mkdir -p {output}; echo x > {output}/f\"\n" > Snakefile &&
   run --storage-staging presigned >../dir.out 2>&1 && [ "$(get s3://bkt/pre/dir/f)" = x ]'
cd "$T/w"

# SLURM: the same workflow with the SLURM executor (shared file system by
# default; presigned asked for), when the test SLURM is up (this test does
# not start it); the cluster is taken as slurm-lib.sh's tests take it
if command -v sinfo >/dev/null 2>&1 && sinfo -h -o %t 2>/dev/null | grep -q "idle\|mix\|alloc"; then
    exec 9>/tmp/krait-slurm-tests.lock
    if flock -w 300 9; then
        rm -rf .krait
        : > ../proxy.log
        t "SLURM: presigned staging runs the workflow (6 jobs)" \
          'run --executor slurm --latency-wait 10 --storage-staging presigned --default-storage s3://bkt/slurm >../slurm.out 2>&1 &&
           grep -q "6 of 6 jobs done" ../slurm.out'
        cp ../proxy.log ../slurm.proxy
        t "SLURM: identical objects, moved by presigned URLs only" \
          '[ "$(get s3://bkt/slurm/results/sum.txt)" = "$(get s3://bkt/shared/results/sum.txt)" ] &&
           grep -q "^PUT /bkt/slurm/results/sum.txt?.*X-Amz-Signature=" ../slurm.proxy &&
           ! grep "^\(GET\|PUT\) /bkt/slurm/[^?]*\( \|$\)" ../slurm.proxy | grep -q .'
        t "SLURM: no AWS key, secret or URL in the job's environment or argv" \
          'env=$(get s3://bkt/slurm/results/env.txt) && echo "$env" | grep -q "^SLURM_JOB_ID=" &&
           ! echo "$env" | grep -q "AWS_ACCESS_KEY_ID\|AWS_SECRET\|AWS_SESSION_TOKEN\|X-Amz\|$SECRET\|S3RVER"'
        # SLURM keeps its batch scripts (the job's command: here the wrapper
        # with its URLs) in .krait/slurm, owner-only; nothing else has them
        t "SLURM: no URL or secret in .krait but the private batch scripts" \
          '! grep -rl "X-Amz-Signature\|$SECRET" .krait | grep -v "^.krait/slurm/" | grep -q . &&
           [ "$(stat -c %a .krait/slurm)" = 700 ] &&
           ! find .krait/slurm -name "*.sh" ! -perm 700 | grep -q . &&
           ! grep -rl "$SECRET" .krait/slurm | grep -q .'
    else
        skip "SLURM: other tests held the test cluster for 5 minutes"
    fi
else
    skip "SLURM: no SLURM node is up (tests/slurm/slurm-up.sh --fast starts the test cluster)"
fi
echo "1..$n"
exit $fail
