a = {1, 2, 3}
b = set([3, 4])
a.add(9)
U = sorted(a | b)
I = sorted(a & b)
D = sorted(a - b)
X = sorted(a ^ b)
T = (1, "x", 2.5)
t1, t2, t3 = T
SC = sorted({x % 3 for x in range(10)})
rule r:
    output: "o"
    params: U=U, I=I, D=D, X=X, T=T, t=[t1, t2, t3], SC=SC, sub={1, 2} <= a, n=len(a), u=sorted(a.union([0]))
    shell: "true"
