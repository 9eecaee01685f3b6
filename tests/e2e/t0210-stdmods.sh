#!/bin/sh
# t0210-stdmods.sh - the builtin Python modules (re, json, yaml, sys, math,
# copy, string, textwrap, itertools, functools, collections) give what
# Python gives: tests/pymod/stdmods.py is both a rule file and a Python
# script; what krait prints while loading it must equal stdmods.out, and,
# when python3 is installed, stdmods.out must be what python3 prints (so
# the golden file cannot drift from Python). The same check for the params
# of tests/lang/ok/70-stdmods.smk. Then validate() on a realistic sample
# sheet workflow: defaults filled in and used by `krait plan`, a changed
# sample sheet that breaks the schema stops the plan with the row and key.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..8"
cp "$KR_SRCDIR/tests/pymod/stdmods.py" "$KR_SRCDIR/tests/pymod/stdmods.out" \
   "$KR_SRCDIR/tests/pymod/stdmods.json" "$KR_SRCDIR/tests/pymod/pd-units.csv" "$tmp/"
cd "$tmp" || exit 1

. "$KR_SRCDIR/tests/e2e/pymod-lib.sh"
pymod_same stdmods 1

# the params of the corpus case equal what python3 computes for them
cp "$KR_SRCDIR/tests/lang/ok/70-stdmods.smk" .
$RUN lint -s 70-stdmods.smk | sed -n 's/^    params:    //p' >.kparams
if command -v python3 >/dev/null 2>&1; then
    python3 - >.pparams <<'PY'
src = open("70-stdmods.smk").read()
pre, rest = src.split("rule r:")
params = rest.split("params:")[1].split("    shell:")[0]
ns = {}
exec(pre, ns)
exec("P = dict(" + params + ")", ns)
P = ns["P"]
print(", ".join("%s=%r" % kv for kv in P.items()))
PY
    if [ -s .kparams ] && cmp -s .kparams .pparams; then echo "ok 3 - 70-stdmods params equal python3's"; else
        echo "not ok 3 - 70-stdmods params differ from python3's"; diff -u .pparams .kparams | sed 's/^/# /'; fi
else
    echo "ok 3 # SKIP python3 is not installed"
fi

# a sample-sheet workflow validated against its schemas
mkdir -p wf/workflow/schemas && cd wf || exit 1
cat >workflow/schemas/config.schema.yaml <<'Y'
$schema: "http://json-schema.org/draft-07/schema#"
properties:
  samples: {type: string}
  threads: {type: integer, minimum: 1, default: 2}
  ref:
    type: object
    properties:
      genome: {type: string, pattern: "\\.fa$"}
    required: [genome]
required: [samples, ref]
Y
cat >workflow/schemas/samples.schema.yaml <<'Y'
type: object
properties:
  sample: {type: string}
  condition: {type: string, enum: [treated, untreated]}
  unit: {type: string, default: "lane1"}
required: [sample, condition]
Y
cat >workflow/Snakefile <<'S'
import re
from snakemake.utils import validate
configfile: "config.yaml"
validate(config, "schemas/config.schema.yaml")
samples = read_table(config["samples"], index="sample")
validate(samples, "schemas/samples.schema.yaml")
SAFE = re.compile(r"[^A-Za-z0-9]+")
rule all:
    input: expand("out/{s}.{u}.txt", zip, s=list(samples), u=[SAFE.sub("_", samples[s]["unit"]) for s in samples])
rule mk:
    output: "out/{s}.{u}.txt"
    params: t=config["threads"]
    shell: "echo {wildcards.s} {params.t} > {output}"
S
printf 'samples: samples.tsv\nref:\n  genome: ref.fa\n' >config.yaml
printf 'sample\tcondition\tunit\nA\ttreated\t\nB\tuntreated\tlane 2\n' >samples.tsv
$RUN plan >.plan 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "out/A.lane1.txt" .plan && grep -q "out/B.lane_2.txt" .plan; then
    echo "ok 4 - defaults from the schema fill the empty cell"; else
    echo "not ok 4 - plan with validate (exit $rc)"; sed 's/^/# /' .plan; fi
$RUN run -j1 >.run 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(cat out/A.lane1.txt)" = "A 2" ]; then
    echo "ok 5 - the config default (threads: 2) reaches the job"; else
    echo "not ok 5 - run (exit $rc)"; sed 's/^/# /' .run; cat out/A.lane1.txt 2>&1 | sed 's/^/# /'; fi

printf 'sample\tcondition\tunit\nA\ttreated\t\nB\tcontrol\tlane2\n' >samples.tsv
$RUN plan >.plan 2>&1
rc=$?
want="workflow/Snakefile:6:1: error: validate(): schemas/samples.schema.yaml: row 'B', column 'condition': 'control' is not one of ['treated', 'untreated']"
if [ $rc -ne 0 ] && [ "$(head -1 .plan)" = "$want" ]; then
    echo "ok 6 - a changed sample sheet that breaks the schema names the row and column"; else
    echo "not ok 6 - bad sample sheet (exit $rc)"; sed 's/^/# /' .plan; fi

printf 'samples: samples.tsv\nref:\n  genome: ref.fa.gz\n' >config.yaml
printf 'sample\tcondition\tunit\nA\ttreated\t\n' >samples.tsv
$RUN plan >.plan 2>&1
rc=$?
want="workflow/Snakefile:4:1: error: validate(): schemas/config.schema.yaml: config['ref']['genome']: 'ref.fa.gz' does not match '\\.fa\$'"
if [ $rc -ne 0 ] && [ "$(head -1 .plan)" = "$want" ]; then
    echo "ok 7 - a config that breaks the schema names the key"; else
    echo "not ok 7 - bad config (exit $rc)"; sed 's/^/# /' .plan; echo "# want: $want"; fi

rm workflow/schemas/samples.schema.yaml
printf 'samples: samples.tsv\nref:\n  genome: ref.fa\n' >config.yaml
$RUN plan >.plan 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "validate(): cannot open 'workflow/schemas/samples.schema.yaml'" .plan; then
    echo "ok 8 - a missing schema file is named (relative to the rule file)"; else
    echo "not ok 8 - missing schema (exit $rc)"; sed 's/^/# /' .plan; fi
