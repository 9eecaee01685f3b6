rule r:
    output: "o"
    params: tab="a\tb", nl="x\ny", raw=r"\d+\.txt", quote='say "hi"', uni="caf\u00e9"
    shell: "printf '%s\\n' {params.tab:q} > {output}"
