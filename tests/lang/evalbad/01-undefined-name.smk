samples = ["a", "b"]
rule all:
    input: expand("{s}.txt", s=smaples)
