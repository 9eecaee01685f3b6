rule all:
    input: "results/summary.txt"

rule map_reads:
    input:
        "data/{sample}.fastq"
    output:
        "mapped/{sample}.bam"
    shell:
        "bwa mem ref.fa {input} | samtools view -b - > {output}"
