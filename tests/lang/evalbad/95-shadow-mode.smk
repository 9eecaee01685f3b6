rule r:
    output: "a.txt"
    shadow: "deep"
    shell: "touch {output}"
