with open("samples.txt", "w") as f:
    f.write("S1\n")
