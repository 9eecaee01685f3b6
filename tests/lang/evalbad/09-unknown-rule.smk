rule a:
    output: "a"
    shell: "true"
rule b:
    input: rules.aa.output
    output: "b"
    shell: "true"
