P = ["a b".title(), "hello".capitalize(), "ab12".isalnum(), "123".isdigit(), "abc".isalpha(),
     "x".center(5, "*"), "x".ljust(3) + "|", "x".rjust(3), "a\nb\n".splitlines(), "x.txt".removesuffix(".txt"),
     "pre_x".removeprefix("pre_"), "hello".rfind("l"), "a-b-c".rsplit("-"), "  x  y ".split(" "),
     "hello"[1:-1], "hello"[:100], "hello"[-100:2], "%3d|" % 5, "%-4d|" % 5, "%+d" % 5, "%.1e" % 12345.678,
     "%c" % 65, "%o" % 8, "{0:x}".format(255), "{:b}".format(5), "{:%}".format(0.25), "{!r}".format("q"),
     str(1e20), str(1.5e-7), str(0.1 + 0.2), str(1/3), str(100.0), str(-0.0), repr(2.0 ** 60)]
rule r:
    output: "o"
    params: p=P
    shell: "true"
