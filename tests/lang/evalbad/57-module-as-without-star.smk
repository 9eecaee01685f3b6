module tools:
    snakefile: "mod/Snakefile"

use rule * from tools as mytools
