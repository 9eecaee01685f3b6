module tools:
    snakefile: "mod/Snakefile"

use rule align from tool as tool_align
