# krait lint warns about unquoted wildcard-derived fields in shell:
rule copy:
    input: "in/{s}.txt"
    output: "out/{s}.txt"
    shell: "cat {input} {input:q} {{input}} > {output:q}; echo {wildcards.s} {wildcards.s:q}"

rule fixed:
    input: "a.txt"
    output: "b.txt"
    shell: "cp {input} {output}"
