rule multi:
    input:
        a="a.txt",
        b="b.txt",

        c=expand("{s}.txt",
                 s=SAMPLES)
    output: "x.txt",
        "y.txt"
    shell:
        "first part "
        "second part "
        # a comment between the parts
        "third part"

rule block_shell:
    output: "z"
    shell:
        """
        echo one
        echo two > {output}
        """
