s = "  Hello, World  "
P = [s.strip(), s.lstrip(), s.rstrip(), s.upper(), s.lower(), s.replace("l", "L"),
     s.strip().split(", "), "a,b,,c".split(","), "a b  c".split(), "a.b.c".rsplit(".", 1),
     "-".join(["x", "y", "z"]), "abc".startswith("ab"), "abc".endswith(("x", "c")),
     "hello".find("l"), "hello".find("z"), "hello".count("l"), "42".zfill(5), "-42".zfill(5),
     "key=value=x".partition("="), "ab" * 3, "x" + "y", "abc"[1], "abcdef"[-2:], "abcdef"[::-1],
     "abcdef"[1:5:2], len("hello"), "a\tb".split("\t")]
rule r:
    output: "o"
    params: p=P
    shell: "true"
