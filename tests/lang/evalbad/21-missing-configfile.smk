configfile: "missing.yaml"
