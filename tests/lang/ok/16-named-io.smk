rule r:
    input: "a.txt", ref="ref.fa", reads=["r1.fq", "r2.fq"]
    output: bam="out.bam", bai="out.bam.bai"
    log: "logs/r.log", err="logs/r.err"
    benchmark: "bench/r.tsv"
    shell: "true"
