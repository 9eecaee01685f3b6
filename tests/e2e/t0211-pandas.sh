#!/bin/sh
# t0211-pandas.sh - the pandas facade. tests/pymod/pandas.smk prints the
# pandas idioms rule files use (read_csv/read_table, set_index, loc with
# one or two keys, masks, unique, dropna, to_dict, iterrows, itertuples,
# numpy arange/linspace/nan); its output must equal pandas.out (the values
# pandas gives for these tables). Then a sample-sheet workflow in the
# layout of the snakemake-workflows pipelines (workflow/rules/common.smk
# with pandas + validate, a units sheet with a two-level index, input
# functions) plans and runs; a changed sheet reruns exactly the jobs whose
# inputs or params it changes; unsupported pandas names are errors that
# name them.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..8"
cp "$KR_SRCDIR/tests/pymod/pandas.smk" "$KR_SRCDIR/tests/pymod/pandas.out" \
    "$KR_SRCDIR/tests/pymod/pd-samples.tsv" "$KR_SRCDIR/tests/pymod/pd-units.csv" "$tmp/"
cd "$tmp" || exit 1

$RUN lint -s pandas.smk 2>.kout >/dev/null
rc=$?
if [ $rc -eq 0 ] && cmp -s .kout pandas.out; then echo "ok 1 - pandas idioms give pandas' values"; else
    echo "not ok 1 - pandas idioms (exit $rc)"; diff -u pandas.out .kout | head -30 | sed 's/^/# /'; fi

mkdir -p wf/workflow/rules wf/workflow/schemas wf/config wf/data && cd wf || exit 1
cat >workflow/schemas/samples.schema.yaml <<'Y'
$schema: "http://json-schema.org/draft-07/schema#"
type: object
properties:
  sample: {type: string}
  condition: {type: string, enum: [treated, untreated]}
  batch: {type: string, default: "b1"}
required: [sample, condition]
Y
cat >workflow/schemas/units.schema.yaml <<'Y'
type: object
properties:
  sample: {type: string}
  unit: {type: string}
  fq1: {type: string}
  fq2: {type: string}
required: [sample, unit, fq1]
Y
cat >workflow/schemas/config.schema.yaml <<'Y'
properties:
  samples: {type: string}
  units: {type: string}
  threads: {type: integer, default: 2}
required: [samples, units]
Y
printf 'samples: config/samples.tsv\nunits: config/units.tsv\n' >config/config.yaml
printf 'sample\tcondition\nA\ttreated\nB\tuntreated\n' >config/samples.tsv
printf 'sample\tunit\tfq1\tfq2\nA\tlane1\tdata/A1_1.fq\tdata/A1_2.fq\nA\tlane2\tdata/A2_1.fq\t\nB\tlane1\tdata/B1_1.fq\tdata/B1_2.fq\n' >config/units.tsv
for f in A1_1 A1_2 A2_1 B1_1 B1_2 A9_1; do echo $f >data/$f.fq; done
cat >workflow/rules/common.smk <<'S'
import pandas as pd
from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

samples = pd.read_csv(config["samples"], sep="\t", dtype=str).set_index("sample", drop=False)
validate(samples, schema="../schemas/samples.schema.yaml")

units = pd.read_csv(config["units"], dtype=str, sep="\t").set_index(["sample", "unit"], drop=False)
validate(units, schema="../schemas/units.schema.yaml")


def get_fastqs(wildcards):
    u = units.loc[wildcards.sample]
    return u["fq1"].tolist() + u["fq2"].dropna().tolist()


def get_batch(wildcards):
    return samples.loc[wildcards.sample, "batch"]
S
cat >workflow/Snakefile <<'S'
configfile: "config/config.yaml"
include: "rules/common.smk"

rule all:
    input:
        expand("results/{sample}.txt", sample=samples.index),
        expand("results/{condition}.list", condition=samples["condition"].unique()),

rule count:
    input: get_fastqs
    output: "results/{sample}.txt"
    params: batch=get_batch, threads=config["threads"]
    shell: "cat {input} > {output}; echo {params.batch} {params.threads} >> {output}"

rule by_condition:
    output: "results/{condition}.list"
    params: members=lambda wc: sorted(samples[samples["condition"] == wc.condition]["sample"])
    shell: "echo {params.members} > {output}"
S
$RUN plan >.plan 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "input: data/A1_1.fq, data/A2_1.fq, data/A1_2.fq$" .plan &&
    grep -q "input: data/B1_1.fq, data/B1_2.fq$" .plan && grep -q "^5 jobs to run" .plan; then
    echo "ok 2 - plans: units per sample through loc on a two-level index, NaN fq2 dropped"; else
    echo "not ok 2 - plan (exit $rc)"; sed 's/^/# /' .plan; fi
$RUN run -j1 >.run 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(tail -1 results/A.txt)" = "b1 2" ] && [ "$(cat results/treated.list)" = "A" ]; then
    echo "ok 3 - runs with the schema defaults (batch b1, threads 2) and a mask"; else
    echo "not ok 3 - run (exit $rc)"; sed 's/^/# /' .run; fi

sed 's|data/A2_1.fq|data/A9_1.fq|' config/units.tsv >.u && mv .u config/units.tsv
$RUN plan >.plan 2>&1
if grep -q "reason: set of input files changed: results/A.txt" .plan && grep -q "^2 jobs to run" .plan; then
    echo "ok 4 - a changed units sheet reruns that sample only"; else
    echo "not ok 4 - changed units sheet"; sed 's/^/# /' .plan; fi
sed 's|data/A9_1.fq|data/A2_1.fq|' config/units.tsv >.u && mv .u config/units.tsv
printf 'sample\tcondition\tbatch\nA\ttreated\tb7\nB\tuntreated\t\n' >config/samples.tsv
$RUN plan >.plan 2>&1
if grep -q "reason: params changed: results/A.txt" .plan && grep -q "^2 jobs to run" .plan; then
    echo "ok 5 - a new batch for A reruns A; B's empty cell keeps the default"; else
    echo "not ok 5 - changed sample sheet"; sed 's/^/# /' .plan; fi
printf 'sample\tcondition\nA\ttreated\nB\tcontrol\n' >config/samples.tsv
$RUN plan >.plan 2>&1
want="workflow/rules/common.smk:7:1: error: validate(): ../schemas/samples.schema.yaml: row 'B', column 'condition': 'control' is not one of ['treated', 'untreated']"
if [ "$(head -1 .plan)" = "$want" ]; then echo "ok 6 - validate on a DataFrame names the row"; else
    echo "not ok 6 - DataFrame validation"; sed 's/^/# /' .plan; fi
cd .. || exit 1

printf 'import pandas as pd\ndf = pd.read_csv("pd-units.csv")\nx = df.query("reads > 100")\n' >q.smk
out=$($RUN lint -s q.smk 2>&1 | head -1)
if [ "$out" = "q.smk:3:5: error: krait does not support 'pandas.DataFrame.query' yet" ]; then
    echo "ok 7 - an unsupported DataFrame method is named"; else echo "not ok 7 - got: $out"; fi
printf 'import pandas as pd\ndf = pd.read_csv("pd-units.csv", dtype=str).set_index("sample")\nx = df.loc["Z", "fq1"]\n' >k.smk
out=$($RUN lint -s k.smk 2>&1 | head -1)
if [ "$out" = "k.smk:3:5: error: KeyError: 'Z' is not in the index of the table" ]; then
    echo "ok 8 - a missing label is a KeyError"; else echo "not ok 8 - got: $out"; fi
