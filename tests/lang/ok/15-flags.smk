rule r:
    input: ancient("in.txt")
    output: temp("t.txt"), protected("p.txt"), directory("d"), touch("flag.done"), pipe("pipe.fifo"),
            lst=temp(["l1", "l2"])
    shell: "true"
