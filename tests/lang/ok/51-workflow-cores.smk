rule r:
    output: "o.txt"
    threads: workflow.cores
    params: half=max(1, workflow.cores // 2)
    shell: "true"
