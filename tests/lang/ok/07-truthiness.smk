V = [bool(0), bool(""), bool([]), bool({}), bool(None), bool(0.0), bool("0"), bool([0]), bool(1)]
W = [0 or "x", 1 and "y", None or [] or "z", "" and "never", not [], not "a"]
X = [1 if [] else 2, 3 if "s" else 4]
Y = [1 < 2 < 3, 1 < 3 < 2, [1, 2] < [1, 3], (1, 2) == (1, 2), [1, 2] == [1, 2], "a" < "b", 1 == 1.0, None is None, 1 is not None]
rule r:
    output: "o"
    params: V=V, W=W, X=X, Y=Y
    shell: "true"
