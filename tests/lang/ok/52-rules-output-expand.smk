rule a:
    output: temp("parts/{s}.txt")
    shell: "touch {output:q}"
rule b:
    input: expand(rules.a.output[0], s=["x", "y"])
    output: "all.txt"
    shell: "cat {input:q} > {output:q}"
