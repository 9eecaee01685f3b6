rule c:
    input: "b/{x}.txt"
    output: "c/{x}.txt"
    params: tag=config["tag"]
    shell: "cp {input} {output}"
