for x in xs:
    print(x)
for i, (a, b) in enumerate(pairs):
    if a:
        continue
    if b:
        break
for k in d.keys(): total += d[k]
for x in 1, 2, 3:
    pass
