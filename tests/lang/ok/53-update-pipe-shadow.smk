# update(), before_update(), pipe() and service() are IO flags (shown by
# lint); shadow: True is Snakemake's "full", False no shadow.
rule snapshot:
    input: before_update("db.txt")
    output: "snap.txt"
    shadow: "copy-minimal"
    shell: "cp {input} {output}"
rule grow:
    input: "new.txt"
    output: update("db.txt")
    shadow: True
    shell: "cat {input} >> {output}"
rule produce:
    output: pipe("p.txt")
    shadow: False
    shell: "echo x > {output}"
rule serve:
    output: service("sock")
    shadow: "shallow"
    shell: "sleep 1"
