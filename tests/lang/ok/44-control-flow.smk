# python3-parity: the lines before the first rule run in python3 too, and
# print the same (t0209-python-parity.sh)
# raise / try / except / else / finally, while, with open() for reading
SAMPLES = {}
with open("tables/samples.tsv") as fh:
    header = None
    for line in fh:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            continue
        SAMPLES[fields[0]] = dict(zip(header, fields))
print(sorted(SAMPLES), header)

def fastq(s):
    try:
        return SAMPLES[s]["fastq"]
    except KeyError as e:
        return "missing:" + str(e)

print(fastq("s1"), fastq("s9"))

def to_int(x, default):
    try:
        v = int(x)
    except (ValueError, IndexError) as e:
        print("bad int", repr(x), "->", e)
        v = default
    except TypeError:
        print("not a string", repr(x))
        v = default
    else:
        v = v * 2
    finally:
        print("checked", x)
    return v

print(to_int("21", 0), to_int("x1", -1), to_int(None, -2))

caught = []
for thing in [lambda: [1, 2][5], lambda: 1 // 0, lambda: {}["k"], lambda: "a".nope,
              lambda: open("tables/none.tsv"), lambda: undefined_name]:
    try:
        thing()
    except LookupError as e:
        caught.append(("lookup", e.args))
    except ArithmeticError:
        caught.append(("arith",))
    except OSError as e:
        caught.append(("os", e.errno, e.filename))
    except Exception as e:
        caught.append(("other", type(e) is not None))
print(caught)

def check(n):
    if n < 0:
        raise ValueError("negative", n)
    if n == 0:
        raise ZeroDivisionError
    return 100 // n

results = []
for n in [5, 0, -3]:
    try:
        results.append(check(n))
    except ValueError as e:
        results.append(e.args)
    except ZeroDivisionError as e:
        results.append(repr(e))
print(results)

def nested():
    log = []
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            log.append("handled")
            raise
        finally:
            log.append("inner finally")
    except LookupError as e:
        log.append("outer " + repr(e))
    return log
print(nested())

i, total = 0, 0
while True:
    i += 1
    if i % 3 == 0:
        continue
    if i > 10:
        break
    total += i
print("while", i, total)

n, steps = 27, 0
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps += 1
print("collatz", steps)

with open("tables/samples.tsv") as f:
    first = f.readline()
    rest = f.readlines()
print(repr(first), len(rest), repr(open("tables/samples.tsv").read()[-10:]))
print(len([l for l in open("tables/samples.tsv")]))

rule all:
    input: expand("out/{s}.txt", s=sorted(SAMPLES))

rule copy:
    output: "out/{s}.txt"
    params: fq=lambda wc: fastq(wc.s), steps=steps, total=total
    shell: "cp {params.fq} {output:q}"
