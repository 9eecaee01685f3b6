import re, json, yaml, sys, math, copy, string, textwrap, itertools, functools, collections
from itertools import product
import re as regex
m = re.match(r"(?P<s>\w+)_R(\d)\.fq", "sampleA_R1.fq")
print(m.group(0), m.group(1), m.group("s"), m.groups(), m.groupdict(), m.span(2), m.start(), m.end(1))
print(re.search("b+", "aabbbc").group(), re.fullmatch("a.c", "abc") is None, re.fullmatch("a.", "abc"))
print(re.findall(r"\d+", "a1b22c333"), re.findall(r"(\w)=(\d)", "a=1, b=2"), re.findall(r"x*", "axb"))
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "joe@home and ann@work"), re.sub("a", "b", "aaa", count=2))
print(re.sub(r"(?P<n>\d)", r"<\g<n>>", "a1b2"), re.sub(r"\d", lambda m: str(int(m.group()) * 2), "a1b7"))
print(re.split(r"[,;]\s*", "a, b;c"), re.split(r"(,)", "a,b"), re.split(",", "a,b,c", maxsplit=1))
p = re.compile(r"^S(\d+)$", re.IGNORECASE)
print(p.match("s12").group(1), p.pattern, p.search("x") is None, regex.match("A", "a", flags=re.I) is not None)
print(re.escape("a.b*c"), re.sub("", "-", "abc"), re.split(r"\b", "ab cd"))
print(json.dumps({"a": [1, 2.5, None, True], "b": "é\n"}), json.dumps({"b": 1, "a": {"x": []}}, indent=2, sort_keys=True))
print(json.loads('{"x": [1, 2, {"y": null}], "z": 1.5}'), yaml.safe_load("a: 1\nb: [x, y]\nc: {d: true}\n"))
print(sys.version_info >= (3, 6), math.floor(2.7), math.ceil(2.1), math.sqrt(16), math.log(8, 2), math.pi, math.isnan(math.nan), math.gcd(12, 18), math.factorial(5), math.log10(1000), math.pow(2, 10), math.trunc(-2.5))
d = {"a": [1, 2], "b": {"c": 3}}
s = copy.copy(d); dc = copy.deepcopy(d)
d["a"].append(9)
print(s, dc, string.ascii_lowercase, string.digits)
print(textwrap.dedent("""
    hello
      world
    
    end"""))
print(list(product([1, 2], "ab")), list(itertools.product([0, 1], repeat=2)), list(itertools.chain([1], (2, 3))))
print(list(itertools.combinations("abcd", 2)), list(itertools.permutations([1, 2, 3])), list(itertools.permutations("abc", 2)), list(itertools.islice(range(10), 2, 8, 3)), list(itertools.islice("abcdef", 3)))
add = lambda x, y, z=0: x + y + z
f = functools.partial(add, 1, z=10)
print(f(2), functools.reduce(lambda a, b: a * b, [1, 2, 3, 4]), dict(collections.Counter("abracadabra")), dict(collections.OrderedDict([("x", 1)])))
print(list(itertools.combinations([1, 2, 3], 0)), list(itertools.combinations([1], 2)))
import csv
print(list(csv.reader(['a,b,"c,d"', '1,"x ""q""",3', '', 'e,'])))
print(list(csv.DictReader(["s\tc", "A\tt", "", "B\tu\textra", "C"], delimiter="\t")))
print(list(csv.reader(["x;'y;z'"], delimiter=";", quotechar="'")))
# file objects from open() are files to json, yaml and csv
with open("stdmods.json") as fh:
    print(json.load(fh), fh.read() == "")
with open("stdmods.json") as fh:
    print(yaml.safe_load(fh))
with open("pd-units.csv") as fh:
    print(list(csv.reader(fh))[:2])
