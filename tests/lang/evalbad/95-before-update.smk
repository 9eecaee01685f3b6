rule r:
    output: before_update("table.tsv")
    shell: "touch {output}"
