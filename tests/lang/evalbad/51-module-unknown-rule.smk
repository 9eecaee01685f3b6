module tools:
    snakefile: "mod/Snakefile"
    prefix: "results"

use rule allign from tools as tools_align
