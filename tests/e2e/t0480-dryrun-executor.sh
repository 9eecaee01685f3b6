#!/bin/sh
# t0480-dryrun-executor.sh - `krait run --executor dryrun` runs nothing and
# so checks nothing: with real outputs on disk, every job "succeeds" at once
# (no MissingOutputException, no --latency-wait), existing outputs are left
# untouched (not removed, not rewritten), and nothing is journaled: the state
# database records no attempt, no provenance and no incomplete mark, so a
# real run afterwards decides as if the dry run had never happened.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(40)), "gone.txt"
rule make:
    output: "out/{i}.txt"
    shell: "echo ran {wildcards.i} > {output}"
rule gone:
    output: "gone.txt"
    shell: "echo ran > {output}"
SNAKE
mkdir out
i=0
while [ $i -lt 40 ]; do echo "old $i" > out/$i.txt; i=$((i + 1)); done
touch -d '2001-01-01' out/*.txt
before=$(ls -l --time-style=+%s out | md5sum)

t0=$(date +%s)
$KRAIT run -F -c 2 --executor dryrun --latency-wait 30 > dry.out 2>&1
rc=$?
t1=$(date +%s)
check $rc "a dry-run executor run exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' dry.out | tail -n 20
[ $((t1 - t0)) -lt 10 ]; check $? "no job waited --latency-wait 30 for its outputs ($((t1 - t0)) s)"
grep -q MissingOutputException dry.out; [ $? -ne 0 ]
check $? "no MissingOutputException"
grep -q "42 of 42 jobs done" dry.out
check $? "all 42 jobs reported done"
same "$(ls -l --time-style=+%s out | md5sum)" "$before" "existing outputs left untouched"
same "$(cat out/7.txt)" "old 7" "... with their old contents"
[ ! -e gone.txt ]; check $? "a missing output is not created"
same "$(sqlite3 .krait/state.db 'select count(*) from attempts' 2>/dev/null)" "0" \
     "no attempt journaled"
same "$(sqlite3 .krait/state.db 'select count(*) from outputs' 2>/dev/null)" "0" \
     "no provenance or incomplete mark recorded"

$KRAIT run -c 2 > real.out 2>&1
check $? "a real run afterwards exits 0"
same "$(cat out/7.txt gone.txt)" "old 7
ran" "... running only the job whose output is missing (no incomplete marks were left)"

echo "1..$n"
