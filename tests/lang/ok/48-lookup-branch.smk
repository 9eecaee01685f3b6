config["samples"] = {"a": {"fq": "a.fq", "kind": "dna"}, "b": {"fq": "b.fq", "kind": "rna"}}
config["aligner"] = {"dna": "bwa"}
MODE = "fast"
rule all:
    input: collect("out/{s}.bam", s=config["samples"])
rule map:
    input: fq=lookup(dpath="samples/{s}/fq", within=config)
    output: "out/{s}.bam"
    params:
        aligner=lookup(dpath="aligner/dna", within=config),
        other=lookup(dpath="aligner/rna", within=config, default="star"),
        first=lookup(dpath="samples/a/fq", within=config),
        mode=branch(MODE == "fast", then="--fast", otherwise="--slow"),
        level=branch(MODE, cases={"fast": 1, "slow": 9}),
        none=branch(False, then="x"),
        paired=branch(lambda wc: wc.s == "a", then="yes", otherwise="no"),
        tag=evaluate("{s} + '-tag'"),
    shell: "map {input.fq:q} > {output:q}"
