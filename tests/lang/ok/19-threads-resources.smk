rule a:
    output: "a"
    threads: 8
    resources: mem_mb=lambda wildcards, attempt: 1000 * attempt, runtime=60, partition="short", disk_mb=2.5e3
    priority: 10
    retries: 3
    shell: "true"
rule b:
    output: "b"
    threads: lambda wildcards, input: 2
    shell: "true"
