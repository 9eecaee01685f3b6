rule:
    """An anonymous rule with a docstring."""
    output: "anon.txt"
    shell: "touch {output}"

rule documented:
    """
    Several lines of documentation.
    """
    input: "anon.txt"
    output: "doc.txt"
    shell: "cp {input} {output}"
