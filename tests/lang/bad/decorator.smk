@cache
def f():
    pass
