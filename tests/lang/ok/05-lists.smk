L = [3, 1, 2]
L.append(5)
L.extend([9, 0])
L.insert(1, 7)
p = L.pop()
p0 = L.pop(0)
L2 = sorted(L)
L3 = sorted(L, reverse=True)
L.sort()
i = L.index(5)
c = [1, 2, 2, 3].count(2)
L4 = [1, 2] + [3]
L5 = [0] * 3
L6 = L[1:3]
L7 = L[::-1]
L8 = L[-1]
L9 = list(range(5)) + list(range(2, 10, 3)) + list(range(5, 0, -2))
L10 = [x * x for x in range(6) if x % 2 == 0]
L11 = [(a, b) for a in "xy" for b in range(2)]
rule r:
    output: "o"
    params: L, p, p0, L2, L3, i, c, L4, L5, L6, L7, L8, L9, L10, L11
    shell: "true"
