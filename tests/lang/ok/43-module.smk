# modules: prefix, config, exclude, with:, several rules, replace_prefix
module other:
    snakefile: "mod/43/Snakefile"
    config: {"n": 5, "tag": "first"}
    prefix: "results"
    skip_validation: True

use rule * from other exclude c as other_*

use rule c from other as other_c with:
    params: tag="over"
    threads: 3

module again:
    snakefile: "mod/43/Snakefile"
    config: {"n": 1, "tag": "second"}
    replace_prefix: {"a/": "data/a/", "b/": "data/b/"}

use rule a, b from again as again_*

rule all:
    input: rules.other_c.output, rules.again_b.output
    params: n=other.N

use rule all as all2 with:
    input: "x.txt"
