def outer(xs):
    total = 0
    def helper(v):
        return v * 2
    for x in xs:
        if x < 0:
            continue
        total += helper(x)
    return total

def classify(n):
    if n < 0:
        return "neg"
    elif n == 0:
        return "zero"
    return "pos"

R = [outer([1, -5, 3]), [classify(n) for n in (-1, 0, 1)]]
rule r:
    output: "o"
    params: r=R
    shell: "true"
