rule a:
x = 1
