SAMPLES, = glob_wildcards("data/{sample}.fq")
G = glob_wildcards("data/{sample}_{read,[12]}.fastq")
F = glob_wildcards("{x}.{ext}", files=["a.txt", "b.csv", "noext"])
rule all:
    input: expand("out/{s}.txt", s=SAMPLES)
rule r:
    output: "o"
    params: samples=G.sample, reads=G.read, x=F.x, ext=F.ext, n=len(SAMPLES)
    shell: "true"
