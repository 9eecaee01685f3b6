rule r:
    input: "data/{sample}.fq"
    output: "out/{sample,[A-Z]+}/{n,\d{2}}.txt"
    wildcard_constraints: sample="[A-Z]+"
    shell: "true"
