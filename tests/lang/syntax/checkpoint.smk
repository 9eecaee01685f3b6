checkpoint split:
    input: "in.txt"
    output: directory("parts")
    shell: "mkdir -p parts"

rule after:
    input: lambda wc: checkpoints.split.get(**wc).output[0]
    output: "done.txt"
    shell: "ls {input} > {output}"

checkpoint = 2
