rule a:
    output: "x"
    run:
rule b:
    output: "y"
