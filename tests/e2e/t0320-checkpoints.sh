#!/bin/sh
# t0320-checkpoints.sh - data-dependent DAGs: Snakemake's clustering example
# (checkpoint with a directory() output, an aggregate input function that
# calls checkpoints.clustering.get(**wildcards) and glob_wildcards over the
# directory) plans, runs end to end in one `krait run`, and reruns what a
# changed checkpoint input affects. The expected job counts were taken from
# snakemake 7.21 on the same Snakefile: dry run before anything ran
# aggregate 2, all 1, clustering 2 (total 5); the full run 10 jobs (2
# clustering, 5 intermediate, 2 aggregate, all); nothing to do afterwards;
# after samples/b.txt changed: clustering 1, aggregate 1, all 1 (3).
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
# "rule=count ..." from the Job counts table of a dry run
counts() {
    awk '/^Job counts:/ { on = 1; next } on && NF == 2 && $1 != "rule" { printf "%s=%s ", $1, $2 }
         on && NF == 0 { on = 0 }' "$1"
}

mkdir samples
printf '1\n2\n3\n' > samples/a.txt
printf '1\n2\n' > samples/b.txt
cat > Snakefile <<'SNAKE'
rule all:
    input:
        "aggregated/a.txt",
        "aggregated/b.txt"

checkpoint clustering:
    input:
        "samples/{sample}.txt"
    output:
        clusters=directory("clustering/{sample}")
    shell:
        "mkdir -p {output}; for i in $(cat {input}); do echo $i > {output}/$i.txt; done"

rule intermediate:
    input:
        "clustering/{sample}/{i}.txt"
    output:
        "post/{sample}/{i}.txt"
    shell:
        "cp {input} {output}"

def aggregate_input(wildcards):
    checkpoint_output = checkpoints.clustering.get(**wildcards).output.clusters
    return expand("post/{sample}/{i}.txt",
           sample=wildcards.sample,
           i=glob_wildcards(os.path.join(checkpoint_output, "{i}.txt")).i)

rule aggregate:
    input:
        aggregate_input
    output:
        "aggregated/{sample}.txt"
    shell:
        "cat {input} > {output}"
SNAKE

kr run -n > dry 2>&1
same "$(counts dry)" "aggregate=2 all=1 clustering=2 total=5 " "dry run before the checkpoints ran: the jobs known so far"
grep -q '^checkpoint clustering (job' dry && grep -q '^DAG of jobs will be updated after completion.$' dry
check $? "a checkpoint job is shown as one, with Snakemake's note"
same "$(grep -c '^    input: <TBD>$' dry)" 2 "the aggregate jobs' input is <TBD> until the checkpoint ran"
grep -q '^The run involves checkpoint jobs, which will result in alteration of the DAG' dry
check $? "the dry run says the DAG changes after the checkpoints"
kr plan > plan 2>&1
same "$(counts plan)" "aggregate=2 all=1 clustering=2 total=5 " "krait plan lists the same jobs"

kr run -c 1 > run 2>&1
check $? "krait run runs the checkpoints and then the jobs they made known"
same "$(tr '\n' ' ' < aggregated/a.txt)" "1 2 3 " "aggregated/a.txt holds the three clusters"
same "$(tr '\n' ' ' < aggregated/b.txt)" "1 2 " "aggregated/b.txt holds the two clusters"
same "$(grep -c 'rule intermediate' run)" 5 "one intermediate job per cluster file (5)"
grep -q 'krait: 10 of 10 jobs done' run
r=$?
check $r "10 jobs in one run, as snakemake runs them"
[ $r -eq 0 ] || sed 's/^/# /' run

kr run -c 1 > again 2>&1
same "$(cat again)" "Nothing to be done." "a second run does nothing"
kr run -n > dry2 2>&1
same "$(cat dry2)" "Nothing to be done." "nor does its dry run"

printf '1\n2\n3\n4\n' > samples/b.txt
kr run -n > dry3 2>&1
same "$(counts dry3)" "aggregate=1 all=1 clustering=1 total=3 " "a changed checkpoint input: the checkpoint and what follows it"
grep -A1 '^checkpoint clustering' dry3 | grep -q 'sample=b'
check $? "... for that sample only"
kr run -c 1 > run3 2>&1
check $? "the rerun succeeds"
same "$(tr '\n' ' ' < aggregated/b.txt)" "1 2 3 4 " "the new cluster is found and aggregated"
same "$(grep -c 'rule intermediate' run3)" 2 "only the new intermediate jobs run (the unchanged ones are up to date)"
same "$(grep -c 'sample=a' run3)" 0 "sample a is not touched"

# get() outside an input function, and without the wildcards
cat > Snakefile.top <<'SNAKE'
checkpoint c:
    output: directory("d/{x}")
    shell: "mkdir -p {output}"
y = checkpoints.c.get(x="1").output[0]
SNAKE
kr plan -s Snakefile.top > top 2>&1
check $((! $?)) "get() at the top level before the checkpoint ran fails"
grep -q "^Snakefile.top:4:5: error: checkpoints.c.get(): the checkpoint has not produced 'd/1' yet; get() can only wait for it inside an input function" top
r=$?
check $r "... saying where and why"
[ $r -eq 0 ] || sed 's/^/# /' top
cat > Snakefile.wc <<'SNAKE'
rule all:
    input: lambda wc: checkpoints.c.get().output
checkpoint c:
    output: directory("d/{x}")
    shell: "mkdir -p {output}"
SNAKE
kr plan -s Snakefile.wc > wc 2>&1
check $((! $?)) "get() without the checkpoint's wildcards fails"
grep -q "^Snakefile.wc:2:[0-9]*: error: .*checkpoints.c.get(): missing wildcard value for 'x'" wc
r=$?
check $r "... naming the missing wildcard"
[ $r -eq 0 ] || sed 's/^/# /' wc
echo "1..$n"
