configfile: "conf/12.yaml"
rule r:
    output: "o"
    params: c=config
    shell: "true"
