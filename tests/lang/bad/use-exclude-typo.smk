module other:
    snakefile: "other/Snakefile"

use rule * from other exlude a as other_*
