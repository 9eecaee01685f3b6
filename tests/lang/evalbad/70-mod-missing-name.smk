import re
rule r:
    output: "o"
    params: re.purge()
    shell: "true"
