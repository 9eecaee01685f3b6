rule r:
    output: "a.txt", "b.txt", "a.txt"
    shell: "touch {output}"
