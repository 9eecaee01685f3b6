rule a:
    input:
    output: "x"
