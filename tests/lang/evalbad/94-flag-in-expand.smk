SAMPLES = ["a", "b"]
rule r:
    output: expand(directory("plots/{s}"), s=SAMPLES)
    shell: "mkdir -p {output}"
