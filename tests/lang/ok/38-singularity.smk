singularity: "docker://alpine"
rule r:
    output: "o"
    singularity: "docker://busybox"
    shell: "true"
