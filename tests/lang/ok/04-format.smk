n = 3
x = 3.14159
F = ["{} and {}".format("a", "b"), "{0}{1}{0}".format("x", "y"), "{name}!".format(name="hi"),
     "{:05d}".format(42), "{:.2f}".format(x), "{:>6}|".format("ab"), "{:<6}|".format("ab"),
     "{:^7}|".format("ab"), "{:,}".format(1234567), "{{literal}}".format(),
     f"n={n}", f"{x:.3f}", f"{n * 2}", f"{'q'!r}", f"{n=}", f"{n:>4}",
     "%s-%d" % ("a", 5), "%05d" % 42, "%.2f" % x, "%r" % "s", "%5s|" % "ab", "%-5s|" % "ab",
     "%(a)s/%(b)s" % {"a": 1, "b": 2}, "100%%" % (), "%x" % 255, "%s" % [1, 2]]
rule r:
    output: "o"
    params: f=F
    shell: "true"
