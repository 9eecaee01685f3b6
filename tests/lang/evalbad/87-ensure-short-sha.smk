rule r:
    output: ensure("a.txt", sha256="abc")
    shell: "touch {output}"
