rule r:
    output: "o"
    threads: "many"
    shell: "true"
