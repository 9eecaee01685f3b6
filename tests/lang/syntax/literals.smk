# numbers, booleans, None
a = 42
b = 0x1F, 0o17, 0b1011, 1_000_000
c = 1.5, 1e-3, .5, 2., 1_0.2_5, 3E+2
d = True, False, None
e = -1, +2, ~3
