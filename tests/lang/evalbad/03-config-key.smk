configfile: "conf.yaml"
rule r:
    output: config["sample"]
    shell: "true"
