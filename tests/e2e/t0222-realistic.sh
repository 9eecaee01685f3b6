#!/bin/sh
# t0222-realistic.sh - four workflows of the kind published pipelines are,
# planned and run, their dry-run job lists compared job for job (rule and
# outputs of each job that runs) with what `snakemake -n` 7.21 lists:
#   rnaseq    snakemake-workflows layout (workflow/Snakefile, rules/*.smk,
#             schemas/), config validated against a JSON schema, pandas
#             sample and unit sheets (multi-level index, .loc, isnull),
#             wildcard_constraints from the sheet, unpack() input
#             functions, temp(), directory(), log/benchmark, params and
#             resources lambdas, expand() over itertuples(), shadow:
#   variants  glob_wildcards, ruleorder with a constrained rule, multiext,
#             rules.X.output, scattergather (scatter/gather), protected(),
#             log files as inputs, a checkpoint with an aggregating input
#             function (the dry run lists what Snakemake lists before the
#             checkpoint ran); also a PeriodicWildcardError candidate
#             (gather_calls could make calls/s1/1-of-3.vcf) dropped as
#             Snakemake drops it
#   modules   module with snakefile:/config:/replace_prefix:, `use rule *
#             from qc as qc_*`, `use rule X from qc as Y with:`,
#             rules.qc_all.input, default_target
#   tables    pandas filtering (isin, masks), ancient(), temp(), a lambda
#             over .set_index().loc, shadow: "shallow", pipe(), yaml.dump
#             and datetime.timedelta in params
# Without snakemake the job lists are compared with the lists Snakemake
# 7.21 gave (GOLDEN below). With it, each workflow also runs under both and
# the files they write are compared (benchmark timings aside).
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
export LC_ALL=C
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
# smk_jobs FILE: one line per job of a `snakemake -n` output: RULE<TAB>OUTPUTS (sorted, space-separated)
smk_jobs() {
    awk '
    function flush(   i, j, t) {
        if (rule == "") return
        for (i = 2; i <= n; i++) for (j = i; j > 1 && list[j - 1] > list[j]; j--) { t = list[j]; list[j] = list[j - 1]; list[j - 1] = t }
        out = ""; for (i = 1; i <= n; i++) out = out (i > 1 ? " " : "") list[i]
        print rule "\t" out; rule = ""; n = 0
    }
    /^ *(local)?(rule|checkpoint) [^ ]+:$/ { flush(); r = $2; sub(/:$/, "", r); rule = r; n = 0; next }
    rule != "" && /^ +output: / { o = $0; sub(/^ +output: /, "", o); gsub(/ \([a-z, ]+\)/, "", o); n = split(o, list, ", "); next }
    END { flush() }' "$1" | sort
}
# krait_jobs FILE: the same from `krait plan --json` (the jobs that run)
krait_jobs() {
    jq -r '.jobs[] | select(.needs_run) | .rule + "\t" + (.output | sort | join(" "))' "$1" | sort
}
SMK=
if command -v snakemake >/dev/null 2>&1 && snakemake --version 2>/dev/null | grep -q '^7\.21\.'; then
    SMK=snakemake
fi

# check_workflow NAME SNAKEFILE GOLDEN-FILE
check_workflow() {
    name=$1 sf=$2
    (cd "$name" && "$KRAIT" plan --json -s "$sf" > ../$name.plan.json 2> ../$name.plan.err)
    check $? "$name: krait plan"
    sed 's/^/#   /' $name.plan.err | head -n 5
    krait_jobs $name.plan.json > $name.krait.jobs
    same "$(cat $name.krait.jobs)" "$(cat $3)" "$name: the jobs Snakemake 7.21 lists ($(wc -l < $3) jobs)"
    if [ -n "$SMK" ]; then
        (cd "$name" && timeout 600 snakemake -n -c2 -s "$sf" > ../$name.smk.out 2>&1)
        smk_jobs $name.smk.out > $name.smk.jobs
        same "$(cat $name.krait.jobs)" "$(cat $name.smk.jobs)" "$name: job for job what snakemake -n lists here"
    else
        n=$((n + 1)); echo "ok $n # SKIP snakemake 7.21 is not installed"
    fi
    cp -R "$name" "$name.smk"
    (cd "$name" && "$KRAIT" run -c 2 -q -s "$sf" > ../$name.run.out 2>&1)
    check $? "$name: krait run"
    sed 's/^/#   /' $name.run.out | tail -n 5
    (cd "$name" && "$KRAIT" plan -s "$sf" > ../$name.plan2.out 2>&1)
    grep -q "Nothing to be done" $name.plan2.out; check $? "$name: then nothing to be done"
    if [ -n "$SMK" ]; then
        (cd "$name.smk" && timeout 600 snakemake -c2 -q -s "$sf" > ../$name.smkrun.out 2>&1)
        diff -r -x .krait -x .snakemake -x benchmarks -x .snakemake_timestamp "$name" "$name.smk" > $name.diff 2>&1
        check $? "$name: krait wrote what snakemake -c2 wrote"
        sed 's/^/#   /' $name.diff | head -n 10
    else
        n=$((n + 1)); echo "ok $n # SKIP snakemake 7.21 is not installed"
    fi
}

# ---- rnaseq ----
mkdir rnaseq && cd rnaseq || exit 1
mkdir -p "$(dirname 'config/config.yaml')"
cat > 'config/config.yaml' <<'EOF_FILE'
samples: config/samples.tsv
units: config/units.tsv
ref:
  genome: data/genome.fa
  build: GRCh38
trimming:
  activate: true
params:
  star: "--outSAMtype BAM Unsorted"
diffexp:
  contrasts:
    treated-vs-untreated:
      - treated
      - untreated
EOF_FILE
mkdir -p "$(dirname 'config/samples.tsv')"
cat > 'config/samples.tsv' <<'EOF_FILE'
sample_name	condition	batch
A	treated	1
B	untreated	1
C	treated	2
D	untreated	2
EOF_FILE
mkdir -p "$(dirname 'config/units.tsv')"
cat > 'config/units.tsv' <<'EOF_FILE'
sample_name	unit_name	fq1	fq2
A	L1	data/A.L1.1.fq.gz	data/A.L1.2.fq.gz
A	L2	data/A.L2.1.fq.gz	data/A.L2.2.fq.gz
B	L1	data/B.L1.1.fq.gz	
C	L1	data/C.L1.1.fq.gz	data/C.L1.2.fq.gz
D	L1	data/D.L1.1.fq.gz	
EOF_FILE
mkdir -p "$(dirname 'data/A.L1.1.fq.gz')"
cat > 'data/A.L1.1.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/A.L1.2.fq.gz')"
cat > 'data/A.L1.2.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/A.L2.1.fq.gz')"
cat > 'data/A.L2.1.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/A.L2.2.fq.gz')"
cat > 'data/A.L2.2.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/B.L1.1.fq.gz')"
cat > 'data/B.L1.1.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/C.L1.1.fq.gz')"
cat > 'data/C.L1.1.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/C.L1.2.fq.gz')"
cat > 'data/C.L1.2.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/D.L1.1.fq.gz')"
cat > 'data/D.L1.1.fq.gz' <<'EOF_FILE'
@r
EOF_FILE
mkdir -p "$(dirname 'data/genome.fa')"
cat > 'data/genome.fa' <<'EOF_FILE'
>chr1
EOF_FILE
mkdir -p "$(dirname 'workflow/Snakefile')"
cat > 'workflow/Snakefile' <<'EOF_FILE'
include: "rules/common.smk"


rule all:
    input:
        get_final_output(),


include: "rules/trim.smk"
include: "rules/align.smk"
EOF_FILE
mkdir -p "$(dirname 'workflow/rules/align.smk')"
cat > 'workflow/rules/align.smk' <<'EOF_FILE'
rule star_index:
    input:
        config["ref"]["genome"],
    output:
        directory("resources/star_genome"),
    threads: 4
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
    log:
        "logs/star_index.log",
    shell:
        "mkdir -p {output} && cp {input} {output}/genome.fa 2> {log}"


rule align:
    input:
        fq=get_trimmed,
        idx="resources/star_genome",
    output:
        aln="results/star/{sample}_{unit}/Aligned.out.bam",
        reads="results/star/{sample}_{unit}/ReadsPerGene.out.tab",
    log:
        "logs/star/{sample}_{unit}.log",
    benchmark:
        "benchmarks/star/{sample}_{unit}.tsv"
    params:
        extra=config["params"]["star"],
    threads: 8
    shell:
        "cat {input.fq} > {output.aln}; echo {wildcards.sample} > {output.reads} 2> {log}"


rule count_matrix:
    input:
        expand("results/star/{unit.sample_name}_{unit.unit_name}/ReadsPerGene.out.tab", unit=units.itertuples()),
    output:
        "results/counts/all.tsv",
    params:
        samples=units["sample_name"].tolist(),
    shell:
        "cat {input} > {output}"


rule deseq2:
    input:
        counts="results/counts/all.tsv",
    output:
        table="results/diffexp/{contrast}.diffexp.tsv",
    params:
        contrast=lambda w: config["diffexp"]["contrasts"][w.contrast],
    log:
        "logs/deseq2/{contrast}.diffexp.log",
    shell:
        "echo {params.contrast} > {output.table} 2> {log}"
EOF_FILE
mkdir -p "$(dirname 'workflow/rules/common.smk')"
cat > 'workflow/rules/common.smk' <<'EOF_FILE'
import pandas as pd
from snakemake.utils import validate

configfile: "config/config.yaml"
validate(config, schema="../schemas/config.schema.yaml")

samples = (
    pd.read_csv(config["samples"], sep="\t", dtype={"sample_name": str})
    .set_index("sample_name", drop=False)
    .sort_index()
)
validate(samples, schema="../schemas/samples.schema.yaml")

units = (
    pd.read_csv(config["units"], sep="\t", dtype={"sample_name": str, "unit_name": str})
    .set_index(["sample_name", "unit_name"], drop=False)
    .sort_index()
)

wildcard_constraints:
    sample="|".join(samples["sample_name"]),
    unit="|".join(units["unit_name"]),


def is_paired_end(sample):
    sample_units = units.loc[sample]
    fq2_null = sample_units["fq2"].isnull()
    paired = ~fq2_null
    all_paired = paired.all() if hasattr(paired, "all") else all(paired.tolist())
    return not fq2_null.tolist()[0]


def get_fq(wildcards):
    u = units.loc[(wildcards.sample, wildcards.unit)]
    if pd.isnull(u["fq2"]):
        return {"fq1": u["fq1"]}
    return {"fq1": u["fq1"], "fq2": u["fq2"]}


def get_trimmed(wildcards):
    if not is_paired_end(wildcards.sample):
        return expand("results/trimmed/{sample}_{unit}_single.fastq.gz", **wildcards)
    return expand("results/trimmed/{sample}_{unit}_{read}.fastq.gz", read=["R1", "R2"], **wildcards)


def get_final_output():
    final_output = expand("results/star/{unit.sample_name}_{unit.unit_name}/Aligned.out.bam", unit=units.itertuples())
    final_output.append("results/counts/all.tsv")
    for contrast in config["diffexp"]["contrasts"]:
        final_output.append("results/diffexp/{}.diffexp.tsv".format(contrast))
    return final_output
EOF_FILE
mkdir -p "$(dirname 'workflow/rules/trim.smk')"
cat > 'workflow/rules/trim.smk' <<'EOF_FILE'
rule cutadapt_pe:
    input:
        unpack(get_fq),
    output:
        fastq1=temp("results/trimmed/{sample}_{unit}_R1.fastq.gz"),
        fastq2=temp("results/trimmed/{sample}_{unit}_R2.fastq.gz"),
        qc="results/trimmed/{sample}_{unit}.paired.qc.txt",
    log:
        "logs/cutadapt/{sample}_{unit}.log",
    params:
        adapters=lambda w: "-a " + config["trimming"].get("adapter", "X"),
    threads: 2
    shell:
        "cat {input.fq1} > {output.fastq1}; cat {input.fq2} > {output.fastq2}; echo {params.adapters} > {output.qc} 2> {log}"


rule cutadapt_se:
    input:
        unpack(get_fq),
    output:
        fastq=temp("results/trimmed/{sample}_{unit}_single.fastq.gz"),
        qc="results/trimmed/{sample}_{unit}_single.qc.txt",
    log:
        "logs/cutadapt/{sample}_{unit}.log",
    shadow: "minimal"
    shell:
        "cat {input.fq1} > {output.fastq}; touch scratch.tmp; echo se > {output.qc} 2> {log}"
EOF_FILE
mkdir -p "$(dirname 'workflow/schemas/config.schema.yaml')"
cat > 'workflow/schemas/config.schema.yaml' <<'EOF_FILE'
$schema: "http://json-schema.org/draft-07/schema#"
description: the configuration
type: object
properties:
  samples:
    type: string
  units:
    type: string
  trimming:
    type: object
    properties:
      activate:
        type: boolean
      adapter:
        type: string
        default: AGATCGGAAGAGC
    required: [activate]
required: [samples, units, ref]
EOF_FILE
mkdir -p "$(dirname 'workflow/schemas/samples.schema.yaml')"
cat > 'workflow/schemas/samples.schema.yaml' <<'EOF_FILE'
$schema: "http://json-schema.org/draft-07/schema#"
type: object
properties:
  sample_name:
    type: string
  condition:
    type: string
    enum: [treated, untreated]
required: [sample_name, condition]
EOF_FILE
cd ..
cat > rnaseq.golden <<'EOF_GOLDEN'
align	results/star/A_L1/Aligned.out.bam results/star/A_L1/ReadsPerGene.out.tab
align	results/star/A_L2/Aligned.out.bam results/star/A_L2/ReadsPerGene.out.tab
align	results/star/B_L1/Aligned.out.bam results/star/B_L1/ReadsPerGene.out.tab
align	results/star/C_L1/Aligned.out.bam results/star/C_L1/ReadsPerGene.out.tab
align	results/star/D_L1/Aligned.out.bam results/star/D_L1/ReadsPerGene.out.tab
all	
count_matrix	results/counts/all.tsv
cutadapt_pe	results/trimmed/A_L1.paired.qc.txt results/trimmed/A_L1_R1.fastq.gz results/trimmed/A_L1_R2.fastq.gz
cutadapt_pe	results/trimmed/A_L2.paired.qc.txt results/trimmed/A_L2_R1.fastq.gz results/trimmed/A_L2_R2.fastq.gz
cutadapt_pe	results/trimmed/C_L1.paired.qc.txt results/trimmed/C_L1_R1.fastq.gz results/trimmed/C_L1_R2.fastq.gz
cutadapt_se	results/trimmed/B_L1_single.fastq.gz results/trimmed/B_L1_single.qc.txt
cutadapt_se	results/trimmed/D_L1_single.fastq.gz results/trimmed/D_L1_single.qc.txt
deseq2	results/diffexp/treated-vs-untreated.diffexp.tsv
star_index	resources/star_genome
EOF_GOLDEN

# ---- variants ----
mkdir variants && cd variants || exit 1
mkdir -p "$(dirname 'Snakefile')"
cat > 'Snakefile' <<'EOF_FILE'
import os
from pathlib import Path

SAMPLES, = glob_wildcards("reads/{sample}.fastq")
CHROMS = [f"chr{i}" for i in range(1, 4)]

scattergather:
    split=3,

localrules: all, aggregate

ruleorder: bwa_special > bwa


rule all:
    input:
        expand("calls/{sample}.vcf", sample=SAMPLES),
        "qc/multiqc.html",
        "clusters/summary.txt",
        "genome.fa.fai",


rule index:
    input: "genome.fa"
    output: multiext("genome.fa", ".fai", ".bwt", ".sa")
    shell: "touch {output}"


rule bwa:
    input:
        reads="reads/{sample}.fastq",
        idx=rules.index.output,
    output: temp("mapped/{sample}.bam")
    threads: 4
    shell: "cat {input.reads} > {output}"


rule bwa_special:
    input: reads="reads/{sample}.fastq"
    output: temp("mapped/{sample}.bam")
    wildcard_constraints: sample="s3"
    shell: "cat {input.reads} > {output}"


rule sort:
    input: "mapped/{sample}.bam"
    output: protected("sorted/{sample}.bam")
    shell: "cp {input} {output}"


rule split_regions:
    output: scatter.split("regions/{scatteritem}.bed")
    shell: "touch {output}"


rule call:
    input:
        bam="sorted/{sample}.bam",
        bed="regions/{scatteritem}.bed",
    output: "calls/{sample}/{scatteritem}.vcf"
    shell: "cat {input.bam} > {output}"


rule gather_calls:
    input: gather.split("calls/{{sample}}/{scatteritem}.vcf")
    output: "calls/{sample}.vcf"
    shell: "cat {input} > {output}"


rule fastqc:
    input: "reads/{sample}.fastq"
    output:
        html="qc/fastqc/{sample}.html",
        zip="qc/fastqc/{sample}_fastqc.zip",
    log: "logs/fastqc/{sample}.log"
    shell: "touch {output} {log}"


rule multiqc:
    input:
        expand("qc/fastqc/{sample}_fastqc.zip", sample=SAMPLES),
        expand("logs/fastqc/{sample}.log", sample=SAMPLES),
    output: "qc/multiqc.html"
    shell: "cat {input} > {output}"


checkpoint clustering:
    input: "genome.fa"
    output: clusters=directory("clusters/raw")
    shell: "mkdir -p {output}; for i in 1 2 3; do echo $i > {output}/$i.txt; done"


rule intermediate:
    input: "clusters/raw/{i}.txt"
    output: "clusters/post/{i}.txt"
    shell: "cp {input} {output}"


def aggregate_input(wildcards):
    checkpoint_output = checkpoints.clustering.get(**wildcards).output[0]
    return expand("clusters/post/{i}.txt", i=glob_wildcards(os.path.join(checkpoint_output, "{i}.txt")).i)


rule aggregate:
    input: aggregate_input
    output: "clusters/summary.txt"
    shell: "cat {input} > {output}"
EOF_FILE
mkdir -p "$(dirname 'genome.fa')"
cat > 'genome.fa' <<'EOF_FILE'
>g
EOF_FILE
mkdir -p "$(dirname 'reads/s1.fastq')"
cat > 'reads/s1.fastq' <<'EOF_FILE'
s1
EOF_FILE
mkdir -p "$(dirname 'reads/s2.fastq')"
cat > 'reads/s2.fastq' <<'EOF_FILE'
s2
EOF_FILE
mkdir -p "$(dirname 'reads/s3.fastq')"
cat > 'reads/s3.fastq' <<'EOF_FILE'
s3
EOF_FILE
cd ..
cat > variants.golden <<'EOF_GOLDEN'
aggregate	clusters/summary.txt
all	
bwa	mapped/s1.bam
bwa	mapped/s2.bam
bwa_special	mapped/s3.bam
call	calls/s1/1-of-3.vcf
call	calls/s1/2-of-3.vcf
call	calls/s1/3-of-3.vcf
call	calls/s2/1-of-3.vcf
call	calls/s2/2-of-3.vcf
call	calls/s2/3-of-3.vcf
call	calls/s3/1-of-3.vcf
call	calls/s3/2-of-3.vcf
call	calls/s3/3-of-3.vcf
clustering	clusters/raw
fastqc	qc/fastqc/s1.html qc/fastqc/s1_fastqc.zip
fastqc	qc/fastqc/s2.html qc/fastqc/s2_fastqc.zip
fastqc	qc/fastqc/s3.html qc/fastqc/s3_fastqc.zip
gather_calls	calls/s1.vcf
gather_calls	calls/s2.vcf
gather_calls	calls/s3.vcf
index	genome.fa.bwt genome.fa.fai genome.fa.sa
multiqc	qc/multiqc.html
sort	sorted/s1.bam
sort	sorted/s2.bam
sort	sorted/s3.bam
split_regions	regions/1-of-3.bed regions/2-of-3.bed regions/3-of-3.bed
EOF_GOLDEN

# ---- modules ----
mkdir modules && cd modules || exit 1
mkdir -p "$(dirname 'Snakefile')"
cat > 'Snakefile' <<'EOF_FILE'
configfile: "config.yaml"

module qc:
    snakefile: "modules/qc/Snakefile"
    config: config["qc"]
    replace_prefix: {"qc/": "qcmod/qc/"}

use rule * from qc as qc_*

use rule stats from qc as stats_trimmed with:
    input: "trimmed/{s}.fq"
    output: "qcmod/qc/{s}.trimmed.stats"

rule trim:
    input: "raw/{s}.fq"
    output: "trimmed/{s}.fq"
    shell: "cp {input} {output}"

rule all:
    input:
        rules.qc_all.input,
        expand("qcmod/qc/{s}.trimmed.stats", s=config["samples"]),
    default_target: True
EOF_FILE
mkdir -p "$(dirname 'config.yaml')"
cat > 'config.yaml' <<'EOF_FILE'
samples: [a, b]
qc:
  samples: [a, b]
  reads: raw
  depth: 30
EOF_FILE
mkdir -p "$(dirname 'modules/qc/Snakefile')"
cat > 'modules/qc/Snakefile' <<'EOF_FILE'
configfile: "config.yaml"

SAMPLES = config["samples"]

rule all:
    input: expand("qc/{s}.stats", s=SAMPLES), "qc/report.txt"

rule stats:
    input: config["reads"] + "/{s}.fq"
    output: "qc/{s}.stats"
    params: depth=config.get("depth", 10)
    shell: "wc -c {input} > {output}; echo {params.depth} >> {output}"

rule report:
    input: expand("qc/{s}.stats", s=SAMPLES)
    output: "qc/report.txt"
    shell: "cat {input} > {output}"
EOF_FILE
mkdir -p "$(dirname 'modules/qc/config.yaml')"
cat > 'modules/qc/config.yaml' <<'EOF_FILE'
samples: [x]
reads: nowhere
EOF_FILE
mkdir -p "$(dirname 'raw/a.fq')"
cat > 'raw/a.fq' <<'EOF_FILE'
a
EOF_FILE
mkdir -p "$(dirname 'raw/b.fq')"
cat > 'raw/b.fq' <<'EOF_FILE'
b
EOF_FILE
cd ..
cat > modules.golden <<'EOF_GOLDEN'
all	
qc_report	qcmod/qc/report.txt
qc_stats	qcmod/qc/a.stats
qc_stats	qcmod/qc/b.stats
stats_trimmed	qcmod/qc/a.trimmed.stats
stats_trimmed	qcmod/qc/b.trimmed.stats
trim	trimmed/a.fq
trim	trimmed/b.fq
EOF_GOLDEN

# ---- tables ----
mkdir tables && cd tables || exit 1
mkdir -p "$(dirname 'Snakefile')"
cat > 'Snakefile' <<'EOF_FILE'
import re
import yaml
from pathlib import Path
from datetime import date, timedelta
import pandas as pd

table = pd.read_csv("data/table.csv", dtype=str)
GROUPS = sorted(table["group"].unique().tolist())
IDS = table[table["group"].isin(GROUPS)]["id"].tolist()
STAMP = (date(2024, 1, 31) + timedelta(days=1)).isoformat()

localrules: all

rule all:
    input:
        expand("out/{g}.sum", g=GROUPS),
        "out/sorted.txt",
        "out/config.yaml",

rule per_id:
    input: ancient("data/table.csv")
    output: temp("tmp/{id}.val")
    params: v=lambda w: table.set_index("id").loc[w.id, "value"]
    shell: "echo {params.v} > {output}"

rule group_sum:
    input: lambda w: expand("tmp/{id}.val", id=table[table["group"] == w.g]["id"].tolist())
    output: "out/{g}.sum"
    shadow: "shallow"
    shell: "cat {input} > partial.txt; awk '{{s += $1}} END {{print s}}' partial.txt > {output}"

rule produce:
    input: "data/table.csv"
    output: pipe("pipes/rows.txt")
    shell: "tail -n +2 {input} > {output}"

rule consume:
    input: "pipes/rows.txt"
    output: "out/sorted.txt"
    shell: "sort -r {input} > {output}"

rule dump_config:
    output: "out/config.yaml"
    params: text=yaml.safe_dump({"groups": GROUPS, "stamp": STAMP, "ids": IDS})
    shell: "printf '%s' '{params.text}' > {output}"

EOF_FILE
mkdir -p "$(dirname 'data/table.csv')"
cat > 'data/table.csv' <<'EOF_FILE'
id,group,value
1,x,10
2,y,20
3,x,30
EOF_FILE
cd ..
cat > tables.golden <<'EOF_GOLDEN'
all	
consume	out/sorted.txt
dump_config	out/config.yaml
group_sum	out/x.sum
group_sum	out/y.sum
per_id	tmp/1.val
per_id	tmp/2.val
per_id	tmp/3.val
produce	pipes/rows.txt
EOF_GOLDEN

check_workflow rnaseq workflow/Snakefile rnaseq.golden
test ! -e rnaseq/results/trimmed/A_L1_R1.fastq.gz; check $? "rnaseq: temp() trimmed reads removed"
test ! -e rnaseq/scratch.tmp; check $? "rnaseq: the shadowed job's scratch file stayed in its shadow directory"
check_workflow variants Snakefile variants.golden
same "$(cat variants/clusters/summary.txt 2>/dev/null | tr '\n' ' ')" "1 2 3 " "variants: the checkpoint's aggregate after re-planning"
check_workflow modules Snakefile modules.golden
check_workflow tables Snakefile tables.golden
test ! -e tables/pipes/rows.txt; check $? "tables: the pipe() file is gone once its consumer is done"
test ! -e tables/partial.txt; check $? "tables: the shallow-shadowed job's partial.txt stayed behind"
same "$(cat tables/out/x.sum 2>/dev/null)" "40" "tables: group sums"
echo "1..$n"
