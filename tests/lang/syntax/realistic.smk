import os
from snakemake.utils import min_version

configfile: "config.yaml"

SAMPLES = config["samples"]
GENOME = config.get("genome", "ref/genome.fa")


def get_fastq(wildcards):
    """Return the FASTQ files of one sample."""
    units = config["units"][wildcards.sample]
    return [os.path.join("data", u) for u in units]


rule all:
    input:
        expand("calls/{sample}.vcf", sample=SAMPLES),
        "qc/multiqc.html",


rule bwa_map:
    input:
        reads=get_fastq,
        ref=GENOME,
    output:
        temp("mapped/{sample}.bam"),
    log:
        "logs/bwa_map/{sample}.log",
    params:
        rg=r"@RG\tID:{sample}\tSM:{sample}",
    threads: 8
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
    shell:
        "(bwa mem -R '{params.rg}' -t {threads} {input.ref} {input.reads} | "
        "samtools view -Sb - > {output}) 2> {log}"


rule call:
    input:
        bam=rules.bwa_map.output,
    output:
        "calls/{sample}.vcf",
    run:
        n = 0
        with open(output[0], "w") as out:
            for line in shell("bcftools call {input.bam}", iterable=True):
                n += 1
                out.write(line + "\n")
