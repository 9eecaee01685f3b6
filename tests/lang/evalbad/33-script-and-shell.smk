rule a:
    output: "a.txt"
    script: "a.py"
    shell: "touch {output}"
