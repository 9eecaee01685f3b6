for i in range(100000000):
    pass
