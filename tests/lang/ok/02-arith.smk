# int/float arithmetic with Python semantics
A = [7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, 2 ** 10, 7 / 2, 1 + 2.5, 10 - 3 * 2]
B = [-7.5 // 2, 7.5 % 2, -1 % 5.0, 2 ** -1, abs(-3), abs(-2.5), round(2.5), round(3.5), round(2.675, 2)]
C = [1 << 4, 255 >> 2, 6 & 3, 6 | 3, 6 ^ 3, ~5, -(-3), +4]
rule r:
    output: "o"
    params: a=A, b=B, c=C
    shell: "true"
