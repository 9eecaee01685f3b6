name = "world"
a = f"hello {name}"
b = F"{x!r} {y!s} {z!a}"
c = f"{value:>10} {pi:.{digits}f} {n:{width}.{prec}}"
d = f"{{literal}} {x}}}"
e = f"{x=} {y = } {z=!s} {w=:>4}"
f = rf"\d+{pat}" fr'{a}\n'
g = f"{'nested ' + f'{inner}'}"
h = f"""multi
{line}"""
i = f"{d['key']} {xs[0]} {obj.attr} {fn(1, k=2)}"
j = f"{a if b else c} {[i for i in x]} {{}}"
