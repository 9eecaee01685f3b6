rule a:
    input: "x.txt"
    output: "a.txt"
    output: "b.txt"
    shell: "touch {output}"
