#!/bin/sh
# s3_plan_bench.sh - planning a workflow over N remote input objects (default
# 10,000) against s3rver on loopback behind the SigV4-verifying proxy:
# requests and wall time of `krait plan`, and the same for one HEAD per
# object (what Snakemake's S3 plugin does), measured with the same client.
#   bench/s3_plan_bench.sh BUILD_DIR [N]
# Needs node (s3rver from npm, see tests/s3/setup-s3rver.sh) and python3-botocore.
set -eu
build=$(cd "${1:?usage: s3_plan_bench.sh BUILD_DIR [N]}" && pwd)
N=${2:-10000}
KR_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
export KR_SRCDIR
work=$(mktemp -d)
cd "$work"
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt || exit 1
echo "seeding $N objects ..."
python3 "$KR_SRCDIR/tests/s3/seed.py" "$S3_DIRECT" bkt in/s "$N" 8
cat > Snakefile <<EOS
rule all:
    input: expand("out/s{i}.txt", i=range($N))
rule copy:
    input: "s3://bkt/in/s{i}.txt"
    output: "out/s{i}.txt"
    shell: "cp {input} {output}"
EOS
now() { python3 -c 'import time; print(time.time())'; }
: > proxy.log
t0=$(now); "$build/krait" plan -q --s3-endpoint-url "$S3_ENDPOINT" > plan.out; t1=$(now)
plan_req=$(wc -l < proxy.log)
plan_s=$(python3 -c "print('%.2f' % ($t1 - $t0))")
i=0; : > keys; while [ $i -lt "$N" ]; do echo "in/s$i.txt" >> keys; i=$((i+1)); done
: > proxy.log
t0=$(now); "$build/tests/unit/s3_drive" -e "$S3_ENDPOINT" heads s3://bkt/ < keys > heads.out 2>/dev/null; t1=$(now)
head_req=$(wc -l < proxy.log)
head_s=$(python3 -c "print('%.2f' % ($t1 - $t0))")
# where the time goes: the same plan straight against s3rver (no verifying
# proxy in between), and over local files (no S3 at all: the planner's share)
t0=$(now); "$build/krait" plan -q --s3-endpoint-url "$S3_DIRECT" > /dev/null; t1=$(now)
direct_s=$(python3 -c "print('%.2f' % ($t1 - $t0))")
mkdir loc
sed 's|s3://bkt/in/|in/|' Snakefile > loc/Snakefile
python3 -c "import os, sys; os.makedirs('loc/in'); [open('loc/in/s%d.txt' % i, 'w').close() for i in range(int(sys.argv[1]))]" "$N"
t0=$(now); (cd loc && "$build/krait" plan -q > /dev/null); t1=$(now)
local_s=$(python3 -c "print('%.2f' % ($t1 - $t0))")
echo "objects: $N   plan: $(tail -1 plan.out)"
echo "krait plan (inventory):   $plan_req requests, $plan_s s"
echo "  ... straight to s3rver: $direct_s s; the same plan over local files: $local_s s"
echo "one HEAD per object:      $head_req requests, $head_s s ($(cat heads.out))"
rm -rf "$work"
