print("loading", 3, [1, "x"], sep="|")
print("no newline", end="")
print()
rule r:
    output: "o"
    shell: "true"
