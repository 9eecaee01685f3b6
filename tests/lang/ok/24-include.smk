configfile: "conf/12.yaml"
VALUE = "from-main"
include: "inc/24-part.smk"
rule main:
    input: rules.included.output
    output: "main.txt"
    params: v=INCLUDED_VALUE
    shell: "true"
