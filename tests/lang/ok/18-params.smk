rule r:
    output: "out/{s}.txt"
    params: "positional", 42, extra="--fast", fn=lambda wildcards, output: output[0] + ".tmp",
            lst=[1, 2], d={"k": "v"}, n=None, b=True, f=0.5
    shell: "tool {params.extra} {params[0]} > {output}"
