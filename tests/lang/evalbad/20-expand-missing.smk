x = expand("{a}_{b}.txt", a=[1, 2])
