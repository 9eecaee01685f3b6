try:
    x = 1
except KeyError:
    x = 2
