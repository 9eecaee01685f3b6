mode = "fast"
x = branch(mode, then="a", cases={"fast": "b"})
