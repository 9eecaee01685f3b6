rule all:
    input: "plots/pca.svg", "table.tsv", "sums.txt"
rule pca:
    output: report(directory("plots"), caption="report/pca.rst", category="QC",
                   subcategory="PCA", patterns=["{name}.svg"], labels={"kind": "pca"})
    shell: "mkdir -p {output}"
rule table:
    output: ensure(temporary("table.tsv"), non_empty=True)
    shell: "echo x > {output}"
rule sums:
    output: ensure("sums.txt", sha256="5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03")
    shell: "echo hello > {output}"
