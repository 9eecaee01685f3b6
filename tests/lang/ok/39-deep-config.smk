configfile: "conf/39.yaml"
def param(name):
    return config["tools"][name]["args"]
rule all:
    input: expand("res/{tool}/{s}.out", tool=list(config["tools"].keys()), s=config["samples"])
rule run_tool:
    output: "res/{tool}/{s}.out"
    params: args=lambda wildcards: param(wildcards.tool)
    shell: "{wildcards.tool} {params.args} > {output}"
