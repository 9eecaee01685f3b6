#!/bin/sh
# t0223-pipe-service.sh - pipe() and service() groups run as Snakemake runs
# them (DAG.handle_pipes_and_services, GroupJob, the local executor's
# run_group_job): the jobs of a group start together, a pipe is a FIFO its
# producer writes while its consumer reads, a service is stopped (SIGTERM)
# once the jobs that use it are done, and the group's pipes and services are
# removed at its end. krait also starts a service's consumers only once the
# service's output exists, and a job of a group that uses another's ordinary
# output waits for it. A failure in a group stops the rest of it.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"

# ---- a chain of two pipes --------------------------------------------------------
mkdir p && cd p || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "out.txt"
rule gen:
    output: pipe("a.pipe")
    shell: "if [ -p {output} ]; then echo fifo; else echo file; fi > {output}; seq 1 20000 >> {output}"
rule mid:
    input: "a.pipe"
    output: pipe("b.pipe")
    shell: "test -p {input} && tr 0-9 a-j < {input} > {output}"
rule last:
    input: "b.pipe"
    output: "out.txt"
    shell: "sort < {input} | uniq | wc -l > {output}"
SNAKE
timeout 60 "$KRAIT" run -c 3 > run.out 2>&1; check $? "a chain gen -> mid -> last of two pipes runs"
sed 's/^/# /' run.out
same "$(cat out.txt)" "20001" "... everything written went through (20000 lines and the marker)"
[ ! -e a.pipe ] && [ ! -e b.pipe ]; check $? "... the pipes are gone afterwards"
timeout 60 "$KRAIT" run -c 3 2>&1 | grep -q "Nothing to be done"; check $? "... and a second run has nothing to do"
rm out.txt
# with one core the three jobs still run at once: a group's cores are capped at the total
timeout 60 "$KRAIT" run -c 1 -q > run1.out 2>&1 && [ "$(cat out.txt)" = 20001 ]
check $? "... with -c 1 too (the group takes the cores it can have)"
cat > Snakefile.mem <<'SNAKE'
rule all:
    input: "m.out"
rule w:
    output: pipe("m.pipe")
    resources: mem_mb=60
    shell: "echo x > {output}"
rule r:
    input: "m.pipe"
    output: "m.out"
    resources: mem_mb=60
    shell: "cat {input} > {output}"
SNAKE
timeout 60 "$KRAIT" run -s Snakefile.mem -c 2 --resources mem_mb=100 > mem.out 2>&1
test $? -ne 0 && grep -q "run at the same time and need together more than available" mem.out
check $? "a group whose jobs need together more memory than --resources: a clear error, no hang"
sed 's/^/# /' mem.out
timeout 60 "$KRAIT" run -s Snakefile.mem -c 2 --resources mem_mb=120 -q > mem2.out 2>&1 && [ "$(cat m.out)" = x ]
check $? "... and it runs when they fit together"
cd ..

# ---- a service and two consumers, one using the other's output ------------------
mkdir s && cd s || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "both.txt"
rule server:
    output: service("db.sock")
    shell:
        "trap 'echo stopped > ../server.stopped; exit 0' TERM; "
        "sleep 1; echo hello > {output}.tmp; mv {output}.tmp {output}; "
        "while true; do sleep 0.1; done"
rule q1:
    input: "db.sock"
    output: "q1.txt"
    shell: "cat {input} > {output}"
rule q2:
    input: "db.sock", "q1.txt"
    output: "q2.txt"
    shell: "cat {input} > {output}"
rule both:
    input: "q1.txt", "q2.txt"
    output: "both.txt"
    shell: "cat {input} > {output}"
SNAKE
timeout 60 "$KRAIT" run -c 4 > run.out 2>&1; check $? "a service with two consumers runs"
sed 's/^/# /' run.out
same "$(cat q1.txt)" "hello" "... the first consumer started once the service's output existed (1 s after the service)"
same "$(cat q2.txt)" "$(printf 'hello\nhello')" "... the second waited for the first's output"
same "$(cat ../server.stopped 2>/dev/null)" "stopped" "... the service got SIGTERM after its consumers were done"
grep -q "stopping rule server: the jobs that use its service are done" run.out; check $? "... and the run says so"
[ ! -e db.sock ]; check $? "... its output is gone afterwards"
"$KRAIT" log --run 1 > log.out 2>&1
grep -q "server .*done" log.out && ! grep -q "failed  " log.out; check $? "... the stopped service is recorded done"
timeout 60 "$KRAIT" run -c 4 2>&1 | grep -q "Nothing to be done"; check $? "... and a second run has nothing to do"
rm -f ../server.stopped
cd ..

# ---- failures inside a group ----------------------------------------------------
mkdir f && cd f || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "q.txt"
rule server:
    output: service("svc")
    shell: "trap 'exit 0' TERM; touch {output}; exec sleep 3623"
rule q:
    input: "svc"
    output: "q.txt"
    shell: "echo partial > {output}; exit 4"
SNAKE
timeout 60 "$KRAIT" run -c 2 > run.out 2>&1; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ]; check $? "a consumer that fails: the run fails, without waiting on the service"
sed 's/^/# /' run.out
grep -q "rule q failed: exit code 4" run.out; check $? "... naming the consumer's failure"
sleep 0.5
! pgrep -f "sleep 3623" > /dev/null; check $? "... the service's processes are gone"
[ ! -e q.txt ] && [ ! -e svc ]; check $? "... the partial output and the service's output are removed"
cat > Snakefile.dead <<'SNAKE'
rule all:
    input: "q.txt"
rule server:
    output: service("svc")
    shell: "echo cannot start >&2; exit 2"
rule q:
    input: "svc"
    output: "q.txt"
    shell: "cat {input} > {output}"
SNAKE
timeout 60 "$KRAIT" run -s Snakefile.dead -c 2 > dead.out 2>&1; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "rule server failed: exit code 2" dead.out
check $? "a service that fails before making its output: the run fails at once"
grep -q "not run: rule server, of its pipe/service group, failed" dead.out
check $? "... its consumer is not run, and says why"
sed 's/^/# /' dead.out
[ ! -e q.txt ]; check $? "... and made nothing"

# a pipe's producer that fails (Snakemake's test_pipes_fail: a syntax error)
cat > Snakefile.pf <<'SNAKE'
rule all:
    input: expand("t.{i}.out", i=range(2))
rule a:
    output: pipe("t.{i}.txt")
    shell: "for i in 0 1 2; ddo echo {wildcards.i} >> {output}; done"
rule b:
    input: "t.{i}.txt"
    output: "t.{i}.out"
    shell: "grep {wildcards.i} < {input} > {output}"
SNAKE
timeout 60 "$KRAIT" run -s Snakefile.pf -c 4 > pf.out 2>&1; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ]; check $? "a pipe's producer that fails: the run fails, the consumer does not wait for ever"
grep -q "bash: -c: line 1: syntax error near unexpected token .ddo'" pf.out
check $? "... the shell's error names the command's own line 1"
sed 's/^/# /' pf.out
[ ! -e t.0.out ] && [ ! -e t.0.txt ] && [ ! -e t.1.txt ]; check $? "... and leaves no output or pipe"
cd ..

# ---- a dry run -------------------------------------------------------------------
cd s && rm -f both.txt q1.txt q2.txt
"$KRAIT" run -n -c 4 > n.out 2>&1 && grep -q "5 jobs to run" n.out && [ ! -e db.sock ]
check $? "a dry run lists the group's jobs and runs nothing"
cd ..
echo "1..$n"
