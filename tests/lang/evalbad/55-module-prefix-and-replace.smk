module tools:
    snakefile: "mod/Snakefile"
    prefix: "results"
    replace_prefix: {"a/": "b/"}
