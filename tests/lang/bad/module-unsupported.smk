module other:
    snakefile: "other/Snakefile"
