workdir: "."
wildcard_constraints:
    sample="[A-Za-z0-9]+",
    n="\d+"
localrules: all, b
ruleorder: b > a
rule all:
    input: "x.txt"
rule a:
    output: "{sample}.txt"
    shell: "true"
rule b:
    output: "x.txt"
    shell: "true"
onstart:
    print("starting")
onsuccess:
    print("done")
onerror:
    print("failed")
