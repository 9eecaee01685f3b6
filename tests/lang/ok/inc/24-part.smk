INCLUDED_VALUE = VALUE + "+included"
include: "24-nested.smk"
rule included:
    output: "inc.txt"
    params: nested=NESTED
    shell: "true"
