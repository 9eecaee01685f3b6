if a:
    x = 1
if a:
    x = 1
else:
    x = 2
if a:
    x = 1
elif b:
    x = 2
elif c:
    x = 3
else:
    x = 4
if a: x = 1
if a:
    if b:
        pass
    else:
        if c:
            pass
