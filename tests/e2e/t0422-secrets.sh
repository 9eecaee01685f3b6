#!/bin/sh
# t0422-secrets.sh - a secret a Snakefile passes to a script:/run: job
# (params: t=os.environ["MY_TOKEN"]) reaches .krait/ only in the job file,
# which is 0600 in a 0700 directory (whatever the umask, and also when an
# older file or directory had a wider mode), removed once the job succeeds
# and kept, still 0600, when it fails. After a successful run the value is
# nowhere under .krait/.
set -u
command -v python3 > /dev/null || { echo "1..0 # SKIP needs python3"; exit 0; }
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
mode() { stat -c %a "$1" 2>/dev/null; }
umask 022
MY_TOKEN=s3cr3t-$$-token; export MY_TOKEN

cat > Snakefile <<'SNAKE'
import os
rule all:
    input: "a.txt", "b.txt"
rule a:
    output: "a.txt"
    params: t=os.environ["MY_TOKEN"]
    run:
        with open(output[0], "w") as f:
            f.write(str(len(params.t)) + "\n")
rule b:
    output: "b.txt"
    params: t=os.environ["MY_TOKEN"]
    script: "b.py"
SNAKE
echo 'open(snakemake.output[0], "w").write("b\n")' > b.py

"$KRAIT" run -c 1 > run1.out 2>&1; check $? "a run with a secret in params succeeds"
same "$(mode .krait/jobs)" "700" ".krait/jobs is 0700"
same "$(ls .krait/jobs | wc -l)" "0" "the job files are removed after success"
grep -rl "$MY_TOKEN" .krait > leaks 2>/dev/null
same "$(cat leaks)" "" "the secret is nowhere under .krait/ after success"

# a failing job keeps its job file, owner-only; an older wider mode is fixed
chmod 0755 .krait/jobs
cat > Snakefile <<'SNAKE'
import os
rule c:
    output: "c.txt"
    params: t=os.environ["MY_TOKEN"]
    run:
        raise SystemExit(3)
SNAKE
: > .krait/jobs/c.1.json
chmod 0644 .krait/jobs/c.1.json
"$KRAIT" run -c 1 > run2.out 2>&1; rc=$?
[ $rc -ne 0 ]; check $? "the failing job fails the run"
same "$(mode .krait/jobs)" "700" ".krait/jobs is 0700 again"
same "$(ls .krait/jobs)" "c.1.json" "the failed job's file is kept for debugging"
same "$(mode .krait/jobs/c.1.json)" "600" "... with mode 0600"
grep -q "$MY_TOKEN" .krait/jobs/c.1.json; check $? "... and it is the job's file (it holds the params)"

echo "1..$n"
