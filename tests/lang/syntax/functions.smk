def f():
    pass

def g(a, b=1, *args, c, d=2, **kwargs):
    """docstring"""
    global counter
    counter += 1
    if a:
        return a
    for x in args:
        if x:
            return x
    return

def h(x, *, key=None,):
    return x, key

def outer(n):
    def inner(m):
        return n + m
    return inner
