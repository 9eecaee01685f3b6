rule r:
    shell: "echo hi"
