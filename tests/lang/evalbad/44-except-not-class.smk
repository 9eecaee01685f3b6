try:
    x = int("x")
except "ValueError":
    x = 0
