rule a:
    output: "café.txt"
    shell: "touch {output}"
