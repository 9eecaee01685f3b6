rule everything:
    input: "a.txt", ref="ref.fa", idx=["i1", "i2"]
    output: protected("out.txt"), temp("tmp.txt")
    params: extra="-v", n=lambda wildcards: len(wildcards.sample)
    log: "logs/everything.log"
    benchmark: "bench/everything.tsv"
    threads: 8
    resources: mem_mb=4000, runtime=60
    priority: 10
    retries: 2
    message: "running {rule}"
    container: "docker://ubuntu:22.04"
    singularity: "docker://ubuntu"
    conda: "envs/tools.yaml"
    wildcard_constraints: sample="[A-Za-z0-9]+"
    localrule: True
    default_target: True
    group: "grp"
    shadow: "minimal"
    name: "renamed"
    cache: True
    envmodules: "bwa/0.7", "samtools/1.9"
    handover: False
    shell: "cat {input} > {output}"

rule scripted:
    input: "a"
    output: "b"
    script: "scripts/do.py"
