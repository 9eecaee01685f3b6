module tools:
    snakefile: "mod/Snakefile"

use rule align from tools exclude sort as tools_align
