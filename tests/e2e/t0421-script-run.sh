#!/bin/sh
# t0421-script-run.sh - script: and run: jobs. A Python script sees the
# `snakemake` object (input/output by index, by name and iterated; params,
# wildcards, threads, resources, log, config, rule); a bash script sees
# Snakemake's associative arrays; an R script a `snakemake` list (skipped
# when Rscript is missing); a run: block gets the same names as globals and
# shell() formats {input}, {output.x}, {params.p:q} and fails the job when
# the command fails.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

mkdir -p scripts
echo hello > in.txt
echo ref > ref.fa
cat > config.yaml <<'YAML'
greeting: hi
YAML
cat > scripts/p.py <<'PY'
s = snakemake
with open(s.output[0], "w") as f:
    print(s.input[0], s.input.ref, list(s.input), file=f)
    print(s.output.main, s.params.p, s.params[1], s.wildcards.x, s.wildcards[0], file=f)
    print(s.threads, s.resources.mem_mb, s.log[0], s.config["greeting"], s.rule, file=f)
    for i in s.input:
        print("in", open(i).read().strip(), file=f)
PY
cat > scripts/b.sh <<'SH'
echo "${snakemake_input[0]} ${snakemake_input[ref]} ${snakemake_params[p]} ${snakemake_wildcards[x]} ${snakemake[threads]} ${snakemake[rule]}" > "${snakemake_output[0]}"
SH
cat > scripts/r.R <<'R'
writeLines(paste(snakemake$input[[1]], snakemake$input$ref, snakemake$wildcards$x, snakemake$threads), snakemake$output[[1]])
R
cat > Snakefile <<'SNAKE'
configfile: "config.yaml"

rule all:
    input: "py_A.txt", "sh_A.txt", "run_A.txt"

rule py:
    input: "in.txt", ref="ref.fa"
    output: main="py_{x}.txt"
    params: p="P1", q="Q2"
    threads: 2
    resources: mem_mb=123
    log: "logs/py_{x}.log"
    script: "scripts/p.py"

rule sh:
    input: "in.txt", ref="ref.fa"
    output: "sh_{x}.txt"
    params: p="it's"
    threads: 1
    script: "scripts/b.sh"

rule r:
    input: "in.txt", ref="ref.fa"
    output: "r_{x}.txt"
    threads: 1
    script: "scripts/r.R"

rule runblock:
    input: "in.txt", ref="ref.fa"
    output: main="run_{x}.txt"
    params: p="a b"
    run:
        n = len(input)
        shell("cat {input} > {output.main}")
        shell("echo {n} {wildcards.x} {params.p:q} {threads} >> {output}")
        with open(output.main, "a") as f:
            f.write("rule=%s attempt=%d\n" % (rule, attempt))

rule runfail:
    output: "fail.txt"
    run:
        shell("echo partial > {output}; exit 4")
SNAKE

kr run -c 2 -q > /dev/null 2> err.txt; check $? "script and run jobs succeed"
same "$(cat py_A.txt)" "in.txt ref.fa ['in.txt', 'ref.fa']
py_A.txt P1 Q2 A A
2 123 logs/py_A.log hi py
in hello
in ref" "python script sees the snakemake object"
same "$(cat sh_A.txt)" "in.txt ref.fa it's A 1 sh" "bash script sees snakemake_* arrays"
same "$(cat run_A.txt)" "hello
ref
2 A a b 1
rule=runblock attempt=1" "run: block with shell() and the job's names"

if command -v Rscript > /dev/null 2>&1; then
    kr run -c 1 -q r_A.txt > /dev/null 2>&1; check $? "R script job"
    same "$(cat r_A.txt)" "in.txt ref.fa A 1" "R script sees the snakemake list"
else
    n=$((n + 1)); echo "ok $n # SKIP Rscript is not installed"
fi

kr run -c 1 -q fail.txt > /dev/null 2> err.txt; rc=$?
same "$rc" "1" "a failing shell() in run: fails the job"
grep -q "exit code 4\|exit 4" err.txt; check $? "... reporting the command's exit code"
[ ! -e fail.txt ]; check $? "... and its output is removed"

echo "1..$n"
