rule map
    input: "a"
