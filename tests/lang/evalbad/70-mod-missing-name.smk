import re
rule r:
    output: "o"
    params: re.subn(r"(\d)", "x", "a1b2")[0]
    shell: "true"
