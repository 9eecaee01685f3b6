rule all:
    input: "a", "b"
rule:
    output: "a"
    shell: "touch {output}"
rule named:
    output: "c"
    shell: "touch {output}"
rule:
    output: "b"
    shell: "touch {output} {rule}"
