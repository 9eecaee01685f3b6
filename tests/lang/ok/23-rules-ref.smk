rule first:
    output: main="first.txt", idx="first.idx"
    params: p="v"
    shell: "true"
rule second:
    input: rules.first.output.main, rules.first.output[1], rules.first.output
    output: "second.txt"
    params: inherited=rules.first.params.p, n=len(rules.first.output), name=rules.first.name
    shell: "true"
