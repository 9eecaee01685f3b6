X = 1
Y = X.nope
