x = (1 +
     2)
y = [
    1,
    2,
]
z = {
    "a": 1,  # comment
    "b": 2,
}
w = 1 + \
    2
def f(a,
      b):
    return a + \
        b
