SAMPLES = read_table("tables/samples.tsv")
BYNAME = read_table("tables/samples.csv", sep=",", index="sample")
rule all:
    input: expand("out/{s}.bam", s=[row["sample"] for row in SAMPLES])
rule map:
    input: fq=lambda wc: BYNAME[wc.sample]["fastq"]
    output: "out/{sample}.bam"
    params: rows=SAMPLES, cond=BYNAME["s2"]["condition"]
    shell: "true"
