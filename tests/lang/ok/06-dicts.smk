d = {"b": 1, "a": 2}
d["c"] = 3
d.update({"d": 4}, e=5)
g = [d.get("a"), d.get("zz"), d.get("zz", 0)]
s = d.setdefault("f", 6)
s2 = d.setdefault("a", 99)
popped = d.pop("b")
keys = list(d.keys())
vals = list(d.values())
items = [k + "=" + str(v) for k, v in d.items()]
comp = {k: v * 10 for k, v in d.items() if v > 3}
merged = {**comp, "z": 0}
inv = dict(zip(["x", "y"], [1, 2]))
n = len(d)
has = ["a" in d, "b" in d, "b" not in d]
rule r:
    output: "o"
    params: d=d, g=g, s=s, s2=s2, popped=popped, keys=keys, vals=vals, items=items, comp=comp,
            merged=merged, inv=inv, n=n, has=has
    shell: "true"
