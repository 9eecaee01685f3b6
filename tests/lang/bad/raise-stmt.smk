def f(x):
    raise ValueError(x)
raise from
