config["ref"] = {"genome": "hg38.fa"}
rule r:
    input: lookup(dpath="ref/index", within=config)
    output: "o"
    shell: "true"
