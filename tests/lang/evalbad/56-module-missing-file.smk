module tools:
    snakefile: "mod/Snakefile.missing"

use rule * from tools as tools_*
