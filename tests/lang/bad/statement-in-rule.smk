rule map:
    input: "a"
    x = 1
