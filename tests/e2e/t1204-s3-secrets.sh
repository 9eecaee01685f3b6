#!/bin/sh
# t1204: no credential value leaves krait. With a secret key and a session
# token in the environment, `krait run` over a workflow with s3:// inputs
# (planned through S3, fetched into .krait/storage) and an s3:// output
# (uploaded after the job; the proxy insists on the token) writes neither into
# any file under the directory (.krait/ and its SQLite database included),
# nor into any argv it spawns (traced with strace), nor into its output.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
export S3_TEST_TOKEN='IQoJb3JpZ2luX2VjEXAMPLEtoken/with+chars=='
s3_up bkt || exit 0
if ! command -v strace >/dev/null 2>&1; then echo "1..0 # SKIP strace is not installed"; exit 0; fi
export AWS_SESSION_TOKEN=$S3_TEST_TOKEN
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
echo a > a.txt
"$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" put s3://bkt/in/a.txt a.txt 2>/dev/null
"$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" put s3://bkt/in/b.txt a.txt 2>/dev/null
mkdir w && cd w
cat > Snakefile <<'EOS'
rule all:
    input: "out.txt", "s3://bkt/out/up.txt"
rule make:
    input: "s3://bkt/in/a.txt", "s3://bkt/in/b.txt"
    output: "out.txt"
    shell: "echo made > {output}; env | grep -c AWS_ > /dev/null || true"
rule up:
    input: "s3://bkt/in/a.txt"
    output: "s3://bkt/out/up.txt"
    shell: "cat {input} > {output}; echo uploaded >> {output}"
EOS
# LeakSanitizer cannot run under ptrace (it aborts at exit under strace): in
# the sanitizer build the traced run checks everything but leaks, which every
# other test of the build still checks.
t "krait run plans through S3 with the session token and runs the job" \
  'ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=execve -s 65535 -o ../trace "$KRAIT" run -c 1 --s3-endpoint-url "$S3_ENDPOINT" >../run.out 2>&1 && [ -s out.txt ]'
t "the proxy saw the token on every request and refused none" \
  '! grep -q " -> 403" ../proxy.log && grep -q "^GET /bkt?list-type=2" ../proxy.log'
t "the run downloaded the inputs and uploaded the output" \
  'grep -q "^GET /bkt/in/a.txt -> 20[06]" ../proxy.log && grep -q "^PUT /bkt/out/up.txt -> 200" ../proxy.log &&
   [ -s .krait/storage/s3/bkt/in/b.txt ] &&
   "$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" get s3://bkt/out/up.txt ../up.txt >/dev/null 2>&1 &&
   [ "$(cat ../up.txt)" = "$(printf "a\nuploaded")" ]'
t "krait wrote a state database" '[ -n "$(find .krait -type f | head -1)" ]'
t "no file krait wrote holds the secret key" '! grep -rqF "$AWS_SECRET_ACCESS_KEY" .'
t "no file krait wrote holds the session token" '! grep -rqF "$AWS_SESSION_TOKEN" .'
t "the trace saw krait spawn the job" 'grep -q "execve(.*echo made" ../trace'
t "no spawned argv holds the secret key or token" \
  '! grep "execve(" ../trace | grep -qF -e "$AWS_SECRET_ACCESS_KEY" -e "$AWS_SESSION_TOKEN"'
t "krait's output holds neither" '! grep -qF -e "$AWS_SECRET_ACCESS_KEY" -e "$AWS_SESSION_TOKEN" ../run.out'
# presigned staging: the job stages itself; the session token is in its
# presigned URLs (by design, URL-encoded), nowhere else
rm -rf .krait out.txt
"$KR_BUILDDIR/tests/unit/s3_drive" -e "$S3_ENDPOINT" rm s3://bkt/out/up.txt >/dev/null 2>&1
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$AWS_SESSION_TOKEN")
: > ../proxy.log
t "presigned staging: the run works with a session token" \
  'ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -v -e trace=execve -s 65535 -o ../ptrace "$KRAIT" run -c 1 --storage-staging presigned --s3-endpoint-url "$S3_ENDPOINT" >../prun.out 2>&1 &&
   [ -s out.txt ] && grep -q "^PUT /bkt/out/up.txt?.*X-Amz-Security-Token=" ../proxy.log && ! grep -q " -> 403" ../proxy.log'
t "presigned: no file left holds the secret key or the token (raw or URL-encoded)" \
  '! grep -rqF -e "$AWS_SECRET_ACCESS_KEY" -e "$AWS_SESSION_TOKEN" -e "$ENC" . &&
   ! grep -qF -e "$AWS_SECRET_ACCESS_KEY" -e "$AWS_SESSION_TOKEN" -e "$ENC" ../prun.out'
t "presigned: no process krait spawned got the secret key or the token in its environment" \
  '[ "$(grep -c "execve(" ../ptrace)" -gt 3 ] &&
   ! grep "execve(" ../ptrace | tail -n +2 | grep -qF -e "AWS_SECRET_ACCESS_KEY=" -e "AWS_SESSION_TOKEN="'
t "presigned: the secret key is in no spawned argv; the token only in the job's own wrapper (its URLs)" \
  '! grep "execve(" ../ptrace | tail -n +2 | grep -qF "$AWS_SECRET_ACCESS_KEY" &&
   ! grep "execve(" ../ptrace | grep -F "$ENC" | grep -qv "kr_d=.(mktemp -d"'
echo "1..$n"
exit $fail
