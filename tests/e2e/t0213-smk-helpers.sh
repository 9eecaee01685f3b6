#!/bin/sh
# t0213-smk-helpers.sh - Snakemake's helper functions end to end:
# ensure(non_empty=True) fails a job that writes an empty file and removes
# it; ensure(sha256=) accepts the right content and fails on other content;
# workflow.source_path(), current_basedir and snakefile from an included file
# in a subdirectory; workflow.cores follows -c; lookup(dpath=) over config,
# with {wildcards} formatted per job; branch() with a function condition and
# with cases=; evaluate(); subpath(); collect(); report() details shown by
# `krait lint --json` (the output item's "report" key).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..13"

# ---- ensure ----
hello=$(printf 'hello\n' | sha256sum | cut -d' ' -f1)
cat > Ensure <<SMK
rule all:
    input: "empty.txt", "full.txt", "good.txt", "bad.txt"
rule empty:
    output: ensure("empty.txt", non_empty=True)
    shell: "touch {output:q}"
rule full:
    output: ensure("full.txt", non_empty=True)
    shell: "echo data > {output:q}"
rule good:
    output: ensure("good.txt", sha256="$hello")
    shell: "echo hello > {output:q}"
rule bad:
    output: ensure("bad.txt", sha256="$hello")
    shell: "echo goodbye > {output:q}"
SMK
$KRAIT run -s Ensure -c 1 -k > ensure.out 2>&1
rc=$?
[ $rc != 0 ] && [ ! -e empty.txt ] && grep -q "output empty.txt is empty" ensure.out
t $? "ensure(non_empty=True): an empty output fails the job and is removed"
[ "$(cat full.txt 2>/dev/null)" = data ]
t $? "... a non-empty one is kept"
[ "$(cat good.txt 2>/dev/null)" = hello ] && [ ! -e bad.txt ] &&
    grep -q "output bad.txt has sha256 checksum $(printf 'goodbye\n' | sha256sum | cut -d' ' -f1)" \
        ensure.out
t $? "ensure(sha256=): the right checksum passes, a wrong one fails the job and removes it"

# ---- workflow.source_path, current_basedir, cores ----
mkdir -p rules/scripts
cat > rules/inc.smk <<'SMK'
TOOL = workflow.source_path("scripts/tool.sh")
INC_DIR = workflow.current_basedir
INC_FILE = workflow.snakefile
rule tool:
    output: "tool.txt"
    params: tool=TOOL, dir=INC_DIR, cores=workflow.cores, file=INC_FILE
    shell: "echo {params.tool} {params.dir} {params.cores} {params.file} > {output}"
SMK
cat > Paths <<'SMK'
include: "rules/inc.smk"
MAIN_DIR = workflow.current_basedir
MAIN_FILE = workflow.snakefile
rule all:
    input: "tool.txt", "main.txt"
rule main:
    output: "main.txt"
    params: dir=MAIN_DIR, file=MAIN_FILE
    shell: "echo {params.dir} {params.file} > {output}"
SMK
$KRAIT run -s Paths -c 2 > paths.out 2>&1
t $? "the workflow using workflow.* runs"
[ "$(cat tool.txt 2>/dev/null)" = "$tmp/rules/scripts/tool.sh $tmp/rules 2 rules/inc.smk" ]
t $? "source_path, current_basedir and snakefile in an included file are its own; cores is -c"
[ "$(cat main.txt 2>/dev/null)" = "$tmp Paths" ]
t $? "current_basedir and snakefile are the main file's again after the include"

# ---- lookup, branch, evaluate, subpath, collect ----
cat > config.yaml <<'YAML'
samples:
  a: {fq: data/a.fq, kind: dna}
  b: {fq: data/b.fq, kind: rna}
aligner: {dna: bwa}
YAML
mkdir -p data
echo A > data/a.fq
echo B > data/b.fq
cat > Lookup <<'SMK'
configfile: "config.yaml"
rule all:
    input: collect("out/{s}.txt", s=config["samples"])
rule map:
    input: lookup(dpath="samples/{s}/fq", within=config)
    output: "out/{s}.txt"
    params:
        aligner=lookup(dpath="aligner/{kind}", within=config, default="star",
                       kind=lambda wc: config["samples"][wc.s]["kind"]),
        first=branch(evaluate("{s} == 'a'"), then="first", otherwise="later"),
        kind=branch(lambda wc: config["samples"][wc.s]["kind"], cases={"dna": "D", "rna": "R"}),
        stem=subpath(lambda wc: "data/" + wc.s + ".fq", strip_suffix=".fq", basename=True),
        plain=branch(False, then="x", otherwise="y"),
    shell: "echo $(cat {input}) {params.aligner} {params.first} {params.kind} {params.stem} {params.plain} > {output}"
SMK
$KRAIT run -s Lookup -c 1 > lookup.out 2>&1
t $? "the workflow using lookup/branch/evaluate/subpath/collect runs"
[ "$(cat out/a.txt 2>/dev/null)" = "A bwa first D a y" ]
t $? "job a: lookup input and params, branch on evaluate(), cases=, subpath()"
[ "$(cat out/b.txt 2>/dev/null)" = "B star later R b y" ]
t $? "job b: lookup's default=, the other branches"
printf 'configfile: "config.yaml"\nx = lookup(dpath="samples/c/fq", within=config)\n' > Missing
$KRAIT lint -s Missing > missing.out 2>&1
[ $? = 1 ] && grep -q "lookup(): dpath 'samples/c/fq' not found" missing.out
t $? "lookup() of a missing dpath without default= is an error naming it"

# ---- report ----
cat > Report <<'SMK'
rule plot:
    output: report("plots/pca.svg", caption="report/pca.rst", category="QC",
                   labels={"figure": "PCA"}), "plain.txt"
    shell: "touch {output}"
SMK
$KRAIT lint --json -s Report > report.json 2>report.err
t $? "report() is accepted"
python3 - report.json > report.txt <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = d["rules"][0]["output"]
print(json.dumps([o.get("report") for o in out], sort_keys=True))
print(json.dumps([o["flags"] for o in out]))
PY
[ "$(sed -n 1p report.txt)" = '[[{"caption": "report/pca.rst", "category": "QC", "file": "plots/pca.svg", "labels": {"figure": "PCA"}}], null]' ]
t $? "lint --json shows the report details of the output (and none for a plain one)"
[ "$(sed -n 2p report.txt)" = '[["report"], []]' ]
t $? "... and the report flag"
