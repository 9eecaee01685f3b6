rule index:
    input: "ref.fa"
    output: multiext("ref.fa", ".amb", ".ann", ".bwt")
    shell: "bwa index {input}"
rule all:
    input: multiext("out/x", ".bam", ".bai"), rules.index.output
