a = x if cond else y
b = a if b else c if d else e
f = lambda: 1
g = lambda x, y=2: x + y
h = lambda *args, **kw: (args, kw)
i = lambda wildcards, input: input.ref + wildcards.sample
j = lambda x, *, key=None: key
