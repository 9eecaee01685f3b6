def reads(wildcards):
    return ["data/" + wildcards.sample + "_1.fq", "data/" + wildcards.sample + "_2.fq"]

def named(wildcards):
    return {"ref": "ref.fa", "fq": "data/" + wildcards.sample + ".fq"}

rule r:
    input: reads, lambda wc: "x/" + wc.sample, unpack(named), anc=ancient(lambda wc: "a")
    output: "out/{sample}.bam"
    shell: "true"
