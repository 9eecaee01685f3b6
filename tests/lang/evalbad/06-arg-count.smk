def f(a, b):
    return a
x = f(1)
