PREFIX = "data"

def path(sample, ext="fq"):
    return PREFIX + "/" + sample + "." + ext

def total(*args, **kw):
    return sum(args) + sum(kw.values())

def make_adder(n):
    def add(x):
        return x + n
    return add

def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

counter = 0
def bump():
    global counter
    counter += 1
    return counter

bump()
bump()
add3 = make_adder(3)
sq = lambda x: x * x
rule r:
    output: "o"
    params: path("a"), path("b", ext="bam"), total(1, 2, x=3), add3(4), fact(10), sq(7),
            counter, list(map(sq, [1, 2, 3])), list(filter(lambda x: x > 1, [0, 1, 2, 3]))
    shell: "true"
