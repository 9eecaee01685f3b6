rule all:
    input: "result.txt"

rule make:
    output: "result.txt"
    shell: "echo hello > {output}"
