#!/bin/sh
# t0310-rerun-triggers.sh - the provenance rerun triggers through real
# `krait run`s (the unit tests in test_dag cover them on hand-made
# provenance): code changed (the shell command edited), params changed, the
# set of input files changed (an input added), an input newer than the
# output, checksum suppression (an input touched without changing it: no
# rerun; changed: rerun), an incomplete output (krait SIGKILLed mid-job)
# and --rerun-triggers selecting a subset. Each step asserts the exact
# reasons `krait plan` gives, then runs and checks the run made everything
# up to date again. (The container trigger: t0600.)
set -u
: "${KRAIT:?KRAIT must name the krait binary}"
cd "$(mktemp -d)" || exit 1
echo "# in $(pwd)"
. "$KR_SRCDIR/tests/e2e/tap.sh"
# "rule: reason" for every job `krait plan ARGS` lists, one per line
reasons() {
    "$KRAIT" plan "$@" 2>&1 |
        awk '/^rule /{r = $2} /^    reason: /{sub(/^    reason: /, ""); print r ": " $0}'
}
# run and check that the next plan has nothing to do
run_ok() {
    "$KRAIT" run -c 1 > run.out 2>&1
    check $? "$1: krait run exits 0"
    same "$("$KRAIT" plan 2>&1 | tail -n 1)" "Nothing to be done." "$1: then up to date"
}
old() { touch -d '2001-01-01 00:00:00' "$@"; }

cat > Snakefile <<'SNAKE'
rule all:
    input: "b.txt"
rule a:
    input: "in.txt"
    output: "a.txt"
    params: k=1
    shell: "cat {input} > {output}"
rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "cat {input} > {output}; echo b >> {output}"
SNAKE
echo hello > in.txt
old in.txt
run_ok "first build"
same "$(cat b.txt)" "hello
b" "b.txt made through a.txt"
DOWN="b: updated input: a.txt (job 0, rule a)
all: updated input: b.txt (job 1, rule b)"

# code: the shell command of rule a edited
sed -i 's/cat {input} > {output}"$/cat {input} > {output}; true"/' Snakefile
same "$(reasons)" "a: code changed: a.txt
$DOWN" "code changed: rule a and what follows rerun"
run_ok "code changed"

# params
sed -i 's/k=1/k=2/' Snakefile
same "$(reasons)" "a: params changed: a.txt
$DOWN" "params changed"
run_ok "params changed"

# input set: an input added (older than the outputs, so mtime says nothing)
echo extra > extra.txt
old extra.txt
sed -i 's/input: "in.txt"/input: "in.txt", "extra.txt"/' Snakefile
same "$(reasons)" "a: set of input files changed: a.txt
$DOWN" "input set changed (an input added)"
run_ok "input set changed"
same "$(cat a.txt)" "hello
extra" "a.txt now has both inputs"

# mtime, with checksum suppression
touch in.txt
same "$(reasons)" "" "in.txt touched, same content: no job (checksum matches)"
"$KRAIT" run -c 1 > touch.out 2>&1
grep -q "Nothing to be done" touch.out
check $? "krait run after the touch has nothing to do"
echo changed > in.txt
touch -d '+1 minute' in.txt
same "$(reasons)" "a: input newer than output: in.txt
$DOWN" "in.txt changed and newer: input newer than output"
run_ok "input changed"
same "$(head -n 1 b.txt)" "changed" "the new content went through"

# --rerun-triggers selects which triggers count
sed -i 's/k=2/k=3/' Snakefile
same "$(reasons --rerun-triggers mtime code input)" "" \
     "--rerun-triggers mtime code input: the params change is ignored"
same "$(reasons --rerun-triggers params)" "a: params changed: a.txt
$DOWN" "--rerun-triggers params: params changed"
echo newer > in.txt
touch -d '+2 minutes' in.txt
same "$(reasons --rerun-triggers params code)" "a: params changed: a.txt
$DOWN" "--rerun-triggers params code: the newer input is ignored"
same "$(reasons --rerun-triggers mtime)" "a: input newer than output: in.txt
$DOWN" "--rerun-triggers mtime: the newer input counts, params do not"
run_ok "after --rerun-triggers"

# incomplete: krait killed while a job has written part of its output
cat > Snakefile <<'SNAKE'
rule all:
    input: "slow.txt"
rule slow:
    output: "slow.txt"
    shell: "echo part > {output}; echo $$ > job.pid; sleep 30; echo end >> {output}"
SNAKE
"$KRAIT" run -c 1 > kill.out 2>&1 &
pid=$!
i=0
while [ ! -s job.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s job.pid ]; check $? "the slow job started"
kill -9 $pid
wait $pid 2>/dev/null
jp=$(cat job.pid)
kids=$(ps -o pid= --ppid "$jp" 2>/dev/null)
kill -9 "$jp" $kids 2>/dev/null
same "$(cat slow.txt)" "part" "the killed job left a partial output"
same "$(reasons)" "slow: incomplete output: slow.txt
all: updated input: slow.txt (job 0, rule slow)" "incomplete output after SIGKILL"
sed -i 's/sleep 30; //' Snakefile
rm -f job.pid
"$KRAIT" run -c 1 > rerun.out 2>&1
check $? "krait run after the kill exits 0"
same "$(cat slow.txt)" "part
end" "the incomplete output was remade"

echo "1..$n"
