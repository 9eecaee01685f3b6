try:
    x = d["k"]
except (KeyError, IndexError) as e:
    x = str(e)
except ValueError:
    raise
except:
    raise RuntimeError("other") from None
else:
    y = 1
finally:
    z = 2
try:
    pass
finally:
    pass
while i < 3:
    i += 1
    if i == 2:
        continue
    break
with open("a.txt") as f:
    t = f.read()
with open("b.txt"):
    pass
raise ValueError("bad")
