N = [1, 5, 3]
B = [len(N), min(N), max(N), sum(N), sum([0.5, 0.25]), min(3, 1, 2), max(["b", "a"]),
     max(["aa", "b"], key=len), min([], default=-1), sorted("cba"), sorted([3, 1, 2], key=lambda x: -x),
     list(reversed([1, 2, 3])), list(enumerate("ab")), list(enumerate("ab", start=1)),
     list(zip([1, 2, 3], "ab")), any([0, 1]), all([1, 0]), all([]), any([]),
     int("42"), int(" -7 "), int(3.9), int("ff", 16), float("2.5"), float(3), str(1.0), str(None),
     repr("x"), repr([1, "a"]), isinstance(1, int), isinstance("a", (int, str)), isinstance([], dict),
     tuple([1, 2]), sorted(set([3, 1, 3])), dict(a=1), list("ab"), chr(65), ord("a"), format(3.5, ".2f"),
     round(7.25, 1), abs(-7), 10 ** 3, hasattr("x", "upper"), getattr("x", "nope", "dflt")]
S = sorted([("b", 2), ("a", 2), ("c", 1)], key=lambda t: t[1])
rule r:
    output: "o"
    params: b=B, s=S
    shell: "true"
