module tools:
    snakefile: "https://example.org/workflow/Snakefile"

use rule * from tools
