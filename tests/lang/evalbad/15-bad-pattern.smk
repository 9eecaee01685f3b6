rule r:
    output: "out/{sample.txt"
    shell: "true"
