# Latin-1 bytes in a path: not UTF-8
rule a:
    output: "café.txt"
    shell: "touch {output}"
