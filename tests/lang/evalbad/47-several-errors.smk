import scipy as sp
x = sp.arange(3)
samples = ["a", "b"]
z = undefined_thing + 1
n = len(samples) // 0
