SAMPLES = ["s1", "s2", "s3"]
M = {s: i for i, s in enumerate(SAMPLES)}
N = [[i * j for j in range(3)] for i in range(3)]
E = [s for s in SAMPLES if s != "s2"]
G = sum(x for x in range(5))
F = ",".join(str(x) for x in range(4))
rule r:
    output: "o"
    params: M=M, N=N, E=E, G=G, F=F
    shell: "true"
