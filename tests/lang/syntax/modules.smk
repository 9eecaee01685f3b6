module other:
    snakefile: "other/Snakefile"
    config: config["other"]
    prefix: "results/other"
    skip_validation: True

module again:
    snakefile:
        "other/Snakefile"
    replace_prefix: {"a/": "b/"}

use rule * from other exclude a, b as other_*

use rule a, b from again as again_*

use rule c from other as other_c with:
    threads: 4

module = 3
x = module + 1
