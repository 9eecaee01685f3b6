a = x < y <= z > w >= v == u != t
b = x in y
c = x not in y
d = x is None
e = x is not None
f = not x == y
g = a and b or not c and d
h = (a or b) and c
