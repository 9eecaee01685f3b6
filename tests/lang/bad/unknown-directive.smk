rule map:
    input: "a"
    ouput: "b"
