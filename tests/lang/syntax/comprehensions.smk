a = [x * 2 for x in xs]
b = [x for x in xs if x > 0 if x < 10]
c = [(x, y) for x in xs for y in ys if x != y]
d = {k: v for k, v in pairs.items()}
e = {x % 3 for x in range(10)}
f = list(x for x in xs)
g = [y for (a, b) in pairs for y in (a, b)]
h = [x if x else 0 for x in xs]
