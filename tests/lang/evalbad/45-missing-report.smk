rule plot:
    input: "counts.tsv"
    output: report("plots/pca.svg", caption="report/pca.rst", category="QC")
    shell: "plot {input} {output}"
