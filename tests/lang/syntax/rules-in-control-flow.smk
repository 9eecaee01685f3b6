for s in SAMPLES:
    rule:
        output: f"out/{s}.txt"
        shell: "touch {output}"

if config.get("extra"):
    rule extra:
        output: "extra.txt"
        shell: "touch {output}"
    include: "extra.smk"
else:
    localrules: all
