configfile: "conf/13.json"
rule r:
    output: "o"
    params: c=config
    shell: "true"
