# A rule file that is also a Python script: what krait prints while loading
# it (krait lint -s) must equal stdmods2.out, and so must what python3 prints
# (tests/e2e/t0212-stdmods2.sh). collections, pathlib, datetime, time, os.
from collections import defaultdict, Counter, OrderedDict, namedtuple
import collections
d = defaultdict(list)
d["a"].append(1); d["b"].append(2); d["a"].append(3)
print(d, dict(d), d.default_factory is list, type(d).__name__ if False else len(d))
di = defaultdict(int)
for w in "a b a c a b".split():
    di[w] += 1
print(di, sorted(di.items()))
ds = defaultdict(set); ds["x"].add(1); ds["x"].add(1); print(ds)
dd = defaultdict(dict); dd["k"]["j"] = 1; print(dd)
dstr = defaultdict(str); print(repr(dstr["q"]), dstr)
dl = defaultdict(lambda: "n/a"); print(dl["z"], dict(dl), "z" in dl, dl.get("y"), "y" in dl)
dn = defaultdict(None, {"a": 1}); print(dn)
nested = defaultdict(lambda: defaultdict(int)); nested["s"]["r"] += 2; print({k: dict(v) for k, v in nested.items()})
c = Counter("abracadabra")
print(c, c["a"], c["zz"], "zz" in c, c.most_common(2), c.most_common())
c.update(["a", "z"]); c.update({"b": 5}); print(c, sorted(c.elements())[:5])
c2 = Counter(x=1, y=3); c2.subtract({"y": 1}); print(c2, Counter(), Counter([]) == {})
c3 = Counter(); c3["q"] += 1; print(c3, len(c3), list(c3), dict(c3))
print(collections.Counter(["s1", "s2", "s1"]).most_common(1)[0])
o = OrderedDict([("b", 1), ("a", 2)]); o["c"] = 3; print(list(o), o == {"b": 1, "a": 2, "c": 3})
Unit = namedtuple("Unit", ["sample", "lane", "fq"])
u = Unit("A", 1, fq="a.fq")
print(u, u.sample, u[1], u[-1], u._fields, u._asdict(), len(u), list(u), u == ("A", 1, "a.fq"))
s, l, f = u; print(s, l, f, u._replace(lane=2), Unit._fields, Unit._make(["B", 3, "b.fq"]))
P = namedtuple("P", "x y", defaults=[0]); print(P(1), P(1, 2), P(x=5, y=6), repr(P(1)), str(P(2)))
Q = namedtuple("Q", "a, b"); print(Q(1, 2), [q.a for q in [Q(1, 2), Q(3, 4)]], {Q(1, 2): "x"}[Q(1, 2)], isinstance(Q(1, 2), tuple))
print(sorted([Q(2, 1), Q(1, 2)]), Q(1, 2) + (3,), P._field_defaults)
import copy
print(copy.deepcopy(u), copy.copy(c), copy.deepcopy(d))
# pathlib: a read-only Path (the test makes d/a.txt, d/b.fq.gz, d/.hid, d/sub/)
from pathlib import Path
import pathlib, os
p = Path("data", "raw") / "s1.fastq.gz"
print(p, repr(p), str(p), os.fspath(p), p.name, p.stem, p.suffix, p.suffixes, p.parent, p.parts)
print(p.with_suffix(".bam"), p.with_name("x.txt"), p.parent.parent, Path("/a/b").parts, Path("/").parent, Path(".").parent, Path("a").parent)
print(Path(""), Path("a//b/./c/"), Path("/x", "/y", "z"), "pre" / Path("q"), p == Path("data/raw/s1.fastq.gz"), p == "data/raw/s1.fastq.gz")
print(Path("a.tar.gz").suffixes, Path(".bashrc").suffix, Path(".bashrc").stem, Path("a.").suffix, Path("a..b").suffixes, Path("/").name, Path("x/y.z").with_stem("w"))
print(Path("d").exists(), Path("d").is_dir(), Path("d/a.txt").is_file(), Path("nope").exists(), sorted(Path("d").glob("*")), sorted(Path("d").glob("*.txt")))
print(repr(Path("d/a.txt").read_text()), sorted(q.name for q in Path("d").iterdir()), Path("a/b/c").relative_to("a"), Path("a/b").joinpath("c", "d"), Path("a/b").is_absolute(), Path("a/b").as_posix())
print(isinstance(p, Path), isinstance(p, str), type(p).__name__, f"{p}", "%s!" % p, "{}".format(p), [Path("x")], {"k": Path("y")}, pathlib.Path("z").with_suffix(""))
with open(Path("d") / "a.txt") as fh:
    print(fh.read().strip(), os.path.basename(p), os.path.join(Path("u"), "v"), Path("a/b").parents[0], list(Path("a/b/c").parents))
samples = {q.name.split(".")[0]: q for q in sorted(Path("d").glob("*.*"))}
print(samples, [str(v) for v in samples.values()], sorted({Path("x"), Path("x"), Path("y")}))
# datetime and time: only values that cannot change between two runs are printed
import datetime, time
from datetime import date, datetime as dtm
d = datetime.date.today(); n = datetime.datetime.now()
print(d.year >= 2024, 1 <= d.month <= 12, 1 <= d.day <= 31, len(d.isoformat()), len(d.strftime("%Y%m%d")), n.date() == d or n.hour == 0, isinstance(n, date), type(d).__name__, type(n).__name__)
x = date(2024, 3, 5); y = dtm(2024, 3, 5, 14, 7, 9, 120)
print(x, repr(x), x.isoformat(), x.strftime("%Y/%m/%d %a %b %j %A %B %y %%"), x.weekday(), x.isoweekday(), x.year, x.month, x.day)
print(y, repr(y), y.isoformat(), y.isoformat(" "), y.strftime("%H:%M:%S.%f %p %I"), y.date(), y.hour, y.minute, y.second, y.microsecond, repr(dtm(2024, 1, 2)), repr(dtm(2024, 1, 2, 3, 4, 5)))
print(x == date(2024, 3, 5), x == date(2024, 3, 6), str(dtm(2024, 1, 2)), f"{x}", "{}".format(y), date(2024, 2, 29), date(2023, 12, 31).strftime("%j"))
# ordering (<, sorted, min, max), fromisoformat and strptime
td = datetime.timedelta
print(x < date(2024, 3, 6), x > date(2024, 3, 6), x <= date(2024, 3, 5), y >= dtm(2024, 3, 5, 14, 7, 9), sorted([date(2024, 5, 1), x, date(2023, 1, 1)]), max([dtm(2024, 1, 1), y]), min(td(days=1), td(hours=3)), td(seconds=1) < td(days=1), sorted([td(hours=-1), td(0), td(minutes=5)]))
print(date.fromisoformat("2024-02-29"), repr(dtm.fromisoformat("2024-03-05T14:07:09")), dtm.fromisoformat("2024-03-05 14:07"), repr(dtm.fromisoformat("2024-03-05T14:07:09.120")), dtm.fromisoformat("2024-03-05"), dtm.strptime("05/03/2024 14:07", "%d/%m/%Y %H:%M"), repr(dtm.strptime("2024-061", "%Y-%j")), dtm.strptime("Mar 5 2024", "%b %d %Y").date())
for bad in ["2024-3-5", "2024-02-30", "20240305x"]:
    try:
        date.fromisoformat(bad)
    except ValueError as e:
        print("ValueError", bad)
for t, f in [("2024-03-05", "%Y-%m"), ("2024", "%Y-%m")]:
    try:
        dtm.strptime(t, f)
    except ValueError as e:
        print("ValueError:", e)
try:
    print(x < y)
except TypeError:
    print("TypeError")
print(len(time.strftime("%Y-%m-%d")), time.time() > 1e9, time.strftime("%Y") == str(d.year) or d.month == 1)
# os additions
print(os.getenv("KRAIT_SURELY_UNSET"), os.getenv("KRAIT_SURELY_UNSET", "dflt"), sorted(os.listdir("d")), os.path.getsize("d/a.txt"))
print(os.path.islink("d/a.txt"), os.path.realpath("d/a.txt") == os.path.abspath("d/a.txt"), os.devnull, os.pathsep, repr(os.linesep), os.curdir, os.name)
# re.finditer, math.prod/isclose, itertools.zip_longest/accumulate/groupby/repeat, functools.lru_cache/cache
import re, math, itertools, functools
print([m.group(1) for m in re.finditer(r"S(\d+)", "S1_S22_x_S3")], [m.span() for m in re.compile("a*").finditer("baac")])
print(math.prod([2, 3, 4]), math.prod([]), math.prod([1.5, 2], start=2), math.isclose(0.1 + 0.2, 0.3), math.isclose(1, 1.1), math.isclose(1, 1.05, rel_tol=0.1))
print(list(itertools.zip_longest([1, 2, 3], "ab")), list(itertools.zip_longest([1], [2, 3], fillvalue="-")), list(itertools.accumulate([1, 2, 3, 4])), list(itertools.accumulate([3, 1, 2], max)), list(itertools.accumulate([1, 2], initial=10)))
print([(k, list(g)) for k, g in itertools.groupby("aabccca")], [(k, list(g)) for k, g in itertools.groupby(sorted(["s1_a", "s2_b", "s1_c"]), key=lambda x: x[:2])], list(itertools.repeat("x", 3)))
def sq(x):
    return x * x
def cube(x):
    return x ** 3
def half(x):
    return x // 2
# decorators are not in krait's dialect: the call form
sq = functools.lru_cache(maxsize=None)(sq)
cube = functools.lru_cache(cube)
half = functools.cache(half)
print(sq(4), cube(2), half(9))
