import re
rule r:
    output: "o"
    params: [m.group(1) for m in re.finditer(r"(\d)", "a1b2")]
    shell: "true"
