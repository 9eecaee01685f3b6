rule a:
    output: "a.txt"
    run:
        print("hi")
    shell: "touch {output}"
