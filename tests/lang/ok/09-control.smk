out = []
for i in range(10):
    if i == 2:
        continue
    elif i > 6:
        break
    else:
        out.append(i)
pairs = []
for a, b in [(1, "x"), (2, "y")]:
    pairs.append(b * a)
x = 5
x += 2
x *= 3
x -= 1
x //= 2
s = "a"
s += "b"
lst = [1]
lst += [2, 3]
t = (1,)
a = b = 7
del lst[0]
assert x == 10, "x should be 10"
rule r:
    output: "o"
    params: out=out, pairs=pairs, x=x, s=s, lst=lst, t=t, a=a, b=b
    shell: "true"
