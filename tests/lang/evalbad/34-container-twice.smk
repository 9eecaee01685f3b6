rule a:
    output: "a.txt"
    container: "docker://a"
    singularity: "docker://b"
    shell: "touch {output}"
