module other:
    snakefile: "other/Snakefile"
    input: "a.txt"
