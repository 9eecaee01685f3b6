module other:
    snakefile: "other/Snakefile"
    prefx: "results"
