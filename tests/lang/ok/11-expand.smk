SAMPLES = ["A", "B"]
READS = [1, 2]
rule all:
    input:
        expand("mapped/{sample}_{read}.bam", sample=SAMPLES, read=READS),
        expand("zip/{sample}.{read}", zip, sample=SAMPLES, read=READS),
        expand(["a/{s}.txt", "b/{s}.txt"], s=SAMPLES),
        expand("miss/{sample}/{other}.txt", sample="X", allow_missing=True),
        expand("single/{x}.txt", x="only"),
        expand("{{literal}}/{s}", s=SAMPLES)
