rule base:
    input: "in.txt"
    output: "out/base.txt"
    params: x=1
    threads: 2
    shell: "cp {input} {output}"
use rule base as derived with:
    output: "out/derived.txt"
    params: x=2
use rule base as plain
