# python3-parity: the lines before the first rule run in python3 too, and
# print the same (t0209-python-parity.sh)
# datetime.timedelta and date arithmetic, re.subn, string.Template
import datetime, re, string
from datetime import date, timedelta
d = date(2024, 2, 28)
print(d + timedelta(days=1), d + timedelta(days=2), d - timedelta(weeks=1), timedelta(days=1) + d)
print(repr(timedelta(hours=25, seconds=5)), str(timedelta(hours=25, seconds=5)), timedelta(minutes=-1))
print(timedelta(days=1, hours=2).total_seconds(), timedelta(seconds=1.5), repr(timedelta(0)))
t = datetime.datetime(2024, 12, 31, 23, 30)
print(t + timedelta(hours=1), (t - datetime.datetime(2024, 1, 1)).days, date(2025, 1, 1) - date(2024, 1, 1))
print(timedelta(days=2) * 3, timedelta(days=2) - timedelta(hours=1), (t + timedelta(minutes=45)).strftime("%Y-%m-%d %H:%M"))
print(timedelta(days=-1, seconds=5).days, timedelta(days=-1, seconds=5).seconds, timedelta(microseconds=1500))
print(re.subn(r"a(\d)", r"<\1>", "a1 a2 b3"), re.subn("x", "y", "abc"), re.compile("o").subn("0", "foo boo", count=3))
tpl = string.Template("sample $name in ${dir}/x $$5")
print(tpl.substitute(name="A", dir="d"), tpl.substitute({"name": "B", "dir": "e"}, dir="f"))
print(string.Template("$a $b").safe_substitute(a=1), tpl.template)
try:
    string.Template("$a").substitute()
except KeyError as e:
    print("KeyError", e)

rule all:
    input: []
