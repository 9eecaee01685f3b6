P = "results/run1/sample.sorted.bam"
rule r:
    output: "o.txt"
    params:
        base=subpath(P, basename=True),
        parent=subpath(P, parent=True),
        top=subpath(P, ancestor=2),
        stem=subpath(P, strip_suffix=".sorted.bam"),
        bai=subpath(P, strip_suffix=".bam", with_suffix=".bai"),
        fn=subpath(lambda wc: P, basename=True),
        here=exists("50-subpath-exists.smk"),
        gone=exists("no/such/file"),
        cores=workflow.cores,
    shell: "true"
