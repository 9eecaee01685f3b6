rule r:
    input: a="in.txt"
    output: "out.txt"
    shell:
        "sort {input.a} "
        "| uniq -c "
        "> {output}"
rule t:
    output: "t.txt"
    shell: """
        set -e
        echo one > {output}
        echo two >> {output}
    """
