rule a:
    output: "a.txt"
    shell: "touch {output}"
    threads: 2
