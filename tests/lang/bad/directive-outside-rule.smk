input: "a"
