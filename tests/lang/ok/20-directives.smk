container: "docker://alpine:3.18"
rule r:
    output: "o"
    message: "making {output}"
    container: "docker://ubuntu:22.04"
    group: "g1"
    shadow: "minimal"
    envmodules: "bwa/0.7", "samtools/1.9"
    cache: True
    localrule: True
    default_target: True
    handover: False
    wildcard_constraints: s="[a-z]+"
    shell: "true"
rule s:
    output: "s.txt"
    script: "scripts/make.py"
rule t:
    output: "t.txt"
    run:
        with open(output[0], "w") as f:
            f.write("x")
