def chunks(n, size):
    full, rest = divmod(n, size)
    return full + (1 if rest else 0)

N = chunks(10, 3)
