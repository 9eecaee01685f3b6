configfile: "conf/12.yaml"
rule all:
    input: expand("out/{s}.txt", s=config["samples"])
rule x:
    output: "out/{s}.txt"
    params: ref=config["ref"], threads=config["opts"]["threads"], flag=config.get("flag", "none"),
            missing=config.get("nope", "dflt")
    threads: config["opts"]["threads"]
    shell: "cp {params.ref} {output}"
