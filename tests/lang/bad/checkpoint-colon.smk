checkpoint split
    output: directory("out")
