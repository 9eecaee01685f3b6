rule a:
    output: "a"
    shell: "true"
rule a:
    output: "b"
    shell: "true"
