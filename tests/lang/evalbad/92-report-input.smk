rule r:
    input: report("in.txt", caption="c.rst")
    output: "o"
    shell: "true"
