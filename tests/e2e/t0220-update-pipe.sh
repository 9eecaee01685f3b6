#!/bin/sh
# t0220-update-pipe.sh - Snakemake's update(), before_update(), pipe() and
# service() flags and the resource type check, from Snakemake's
# documentation ("Updating Existing Output Files", "Piped output") and its
# DAG.handle_pipes_and_services / Rule.expand_resources:
#   update(f)         the old f is not removed before the job (the job
#                     modifies it in place) and comes back when the job fails
#   before_update(f)  an input taken as it is on disk: no producer is looked
#                     for (this breaks the cycle of the documented example);
#                     its reader runs before the job that updates f
#   pipe(f)           exactly one consumer, which runs a command; no run: on
#                     either side; producer and consumer run at the same time
#                     through a FIFO (t0223 has the details)
#   service(f)        Snakemake's documented example runs: the service is
#                     stopped once its consumer is done
#   a string resource that --resources constrains as an integer: an error
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"

# ---- update() and before_update(): the documented example -------------------
cat > Snakefile <<'SNAKE'
rule all:
    input: "test.txt"
rule do_something:
    input: before_update("test.txt")
    output: "in.txt"
    shell: "cp {input} {output}"
rule update:
    input: "in.txt"
    output: update("test.txt")
    shell: "echo test >> {output}"
SNAKE
echo base > test.txt
touch -d '2020-01-01' test.txt
"$KRAIT" plan > plan0.out 2>&1
grep -q "Nothing to be done" plan0.out; check $? "test.txt exists: nothing to do (a missing intermediate alone reruns nothing, Snakemake 7)"
"$KRAIT" plan -F --json > plan.json 2> plan.err; check $? "the documented before_update/update cycle plans"
sed 's/^/# /' plan.err | head -n 5
same "$(jq -r '[.jobs[] | .rule] | join(" ")' plan.json 2>/dev/null)" "do_something update all" \
     "do_something (reads test.txt before the update) runs first"
"$KRAIT" run -F -c 2 -q > run.out 2>&1; check $? "the run"
same "$(cat in.txt)" "base" "before_update() read the file as it was"
same "$(cat test.txt)" "$(printf 'base\ntest')" "update() kept the old content and appended"
sed -i 's/echo test >> {output}/echo broken >> {output}; exit 1/' Snakefile
touch in.txt
"$KRAIT" run -c 1 -q update > fail.out 2>&1
test $? -ne 0; check $? "a failing update job fails"
same "$(cat test.txt 2>/dev/null)" "$(printf 'base\ntest')" "the previous version of an update() output is restored"
rm -f test.txt
"$KRAIT" plan do_something > miss.out 2>&1
test $? -ne 0; check $? "a missing before_update() input is a missing input, not made by its updater"
grep -q "test.txt" miss.out; check $? "naming the file"

# ---- ordering without a data edge ---------------------------------------------
mkdir o && cd o || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "snap.txt", "db.done"
rule snapshot:
    input: before_update("db.txt")
    output: "snap.txt"
    shell: "sleep 0.3; cp {input} {output}"
rule grow:
    output: update("db.txt"), touch("db.done")
    shell: "echo more >> db.txt"
SNAKE
echo v1 > db.txt
"$KRAIT" run -c 2 -q > run.out 2>&1; check $? "reader and updater with no data edge"
same "$(cat snap.txt)" "v1" "the before_update() reader ran before the updater"
same "$(cat db.txt)" "$(printf 'v1\nmore')" "then the update"
cd ..

# ---- pipe() -------------------------------------------------------------------
mkdir p && cd p || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: expand("test.{i}.out", i=range(2))
rule a:
    output: pipe("test.{i}.txt")
    shell: "for i in 0 1 2; do echo {wildcards.i} >> {output}; done"
rule b:
    input: "test.{i}.txt"
    output: "test.{i}.out"
    shell: "grep {wildcards.i} < {input} > {output}"
rule target_consumes:
    input: "test.9.txt"
rule two_a:
    input: "test.5.txt"
    output: "two_a.out"
    shell: "cat {input} > {output}"
rule two_b:
    input: "test.5.txt"
    output: "two_b.out"
    shell: "cat {input} > {output}"
rule both:
    input: "two_a.out", "two_b.out"
rule runpipe:
    output: pipe("r.txt")
    run:
        shell("echo x > {output}")
rule runpipe_c:
    input: "r.txt"
    output: "r.out"
    shell: "cat {input} > {output}"
rule runcons:
    input: "test.7.txt"
    output: "rc.out"
    run:
        shell("cat {input} > {output}")
SNAKE
"$KRAIT" run -c 2 -q > run.out 2>&1; check $? "Snakemake's documented pipe example runs"
same "$(cat test.0.out test.1.out 2>/dev/null)" "$(printf '0\n0\n0\n1\n1\n1')" "its outputs"
"$KRAIT" plan target_consumes > e1 2>&1
test $? -ne 0 && grep -q "Output file test.9.txt is marked as pipe but is requested by a rule that does not execute anything" e1
check $? "a pipe consumed by a target rule without a command is refused"
sed 's/^/# /' e1
"$KRAIT" plan test.3.txt > e2 2>&1
test $? -ne 0 && grep -q "Output file test.3.txt is marked as pipe or service but it has no consumer" e2
check $? "a pipe asked for as a target (no consumer) is refused"
"$KRAIT" plan both > e3 2>&1
test $? -ne 0 && grep -q "Output file test.5.txt is marked as pipe but more than one job depends on it" e3
check $? "a pipe with two consumers is refused"
"$KRAIT" plan r.out > e4 2>&1
test $? -ne 0 && grep -q "Rule defines pipe output but uses a 'run' directive" e4
check $? "a run: producer of a pipe is refused"
"$KRAIT" plan rc.out > e5 2>&1
test $? -ne 0 && grep -q "Rule consumes pipe or service input but uses a 'run' directive" e5
check $? "a run: consumer of a pipe is refused"
cd ..

# ---- service() ----------------------------------------------------------------
mkdir s && cd s || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "q.txt"
rule server:
    output: service("socket")
    shell: "ln -s /dev/random {output}; sleep 100"
rule query:
    input: "socket"
    output: "q.txt"
    shell: "head -c 1 {input} > {output}"
SNAKE
timeout 60 "$KRAIT" run -c 2 > e6 2>&1; check $? "Snakemake's documented service example runs (and does not wait for sleep 100)"
sed 's/^/# /' e6
[ "$(wc -c < q.txt)" = 1 ] && [ ! -e socket ] && [ ! -L socket ]
check $? "... the consumer read the service's output, which is gone afterwards"
cd ..

# ---- a string resource constrained as an integer --------------------------------
mkdir r && cd r || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: "a.txt", "b.txt"
rule a:
    output: "a.txt"
    resources: tmp=1
    shell: "touch {output}"
rule b:
    output: "b.txt"
    resources: tmp="large"
    shell: "touch {output}"
SNAKE
"$KRAIT" run a.txt -c 1 --resources tmp=4 > r1 2>&1; check $? "an integer resource under an integer constraint"
"$KRAIT" run -c 1 --resources tmp=4 > r2 2>&1
test $? -ne 0 && grep -q "Resource tmp is of type str but global resource constraint defines an int with value 4" r2
check $? "a string resource under an integer --resources constraint fails as in Snakemake"
sed 's/^/# /' r2 | head -n 3
test ! -e b.txt; check $? "and its job did not run"
cd ..
echo "1..$n"
