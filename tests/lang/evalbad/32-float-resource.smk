rule a:
    output: "a.txt"
    resources:
        mem_mb=1000,
        gpu=0.5
    shell: "touch {output}"
