f(a.b=3)
