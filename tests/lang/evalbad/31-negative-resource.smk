rule a:
    output: "a.txt"
    resources: mem_mb=-100
    shell: "touch {output}"
